"""Tamper-evident audit trail (issue 13, item 5): who moved, scored, reviewed or redefined what.

Why. An appraisal's result decides bonuses, promotions and dismissals (Nghị định
335/2025/NĐ-CP builds the yearly level from the monthly ones, and the laws on cán bộ, công
chức and viên chức tie rewards, appointment and leaving the service to those levels), and
results are published, complained about and inspected long after they were decided. The
row history (django-simple-history) says who changed a row through the application; it
cannot say whether somebody with database access changed a figure, a review or a rule
afterwards. The Law on Electronic Transactions (Luật Giao dịch điện tử 2023) gives an
electronic record its value only when its integrity can be shown. This trail makes that
showable: each recorded event is an entry whose SHA-256 hash covers its content and the
hash of the entry before it, so editing, removing or reordering any entry breaks the link
after it, and ``manage.py verify_audit`` names the first broken one.

What is recorded (:mod:`thanhhoa_kpi.audit.recorders`, from the rows the domain already
writes; no service calls this app):

- every workflow transition (each :class:`~thanhhoa_kpi.workflow.models.TransitionLog` line);
- every change of an appraisal's figures or of its general-criteria scores;
- every review of a work-log line (and a changed review);
- every rule-set version and workflow-definition version (created, put in force, retired).

Two chains. ``prev_hash_global`` links every entry to the previous one of the whole system
(``seq`` without holes: a deleted row shows as a missing number); ``prev_hash_document``
links it to the previous entry of the same document, so one document's story can be
checked alone. The hash is over the canonical JSON (sorted keys, exact decimal strings) of
the entry's fields, its payload text and both previous hashes.

How appends stay honest under concurrency and rollback (:mod:`thanhhoa_kpi.audit.chain`):
entries are written in the transaction of the event, just before it commits
(:mod:`thanhhoa_kpi.core.precommit`), after ``SELECT … FOR UPDATE`` on the one chain-head
row. Appends are thereby serialised (one order, one predecessor each), an event rolled back
leaves no entry, and the head row is the last lock a transaction takes, so it adds no lock
cycle with the rows the services lock in their documented order. The price: transactions
that record an event commit one after another through that row's lock (held only for the
appends and the commit).

Append-only: :class:`~thanhhoa_kpi.audit.models.AuditEntry` refuses ``save`` of an existing
row, ``delete`` and the bulk ``update``/``delete`` of its queryset; it has no add, change or
delete permission (the desk shows it read-only to system admins, with the chain check).
Whoever can write SQL can still change a row: that is what the chain makes visible, not
what it prevents. Keep the database's backups (``manage.py backup``) for the proof of what
the row said.
"""
