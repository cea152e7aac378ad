"""The supplier switch: move a cluster's HR records from one backend to another while the
service stays up (`migrate_cluster`, or `python -m sop_hr.switch`)."""
