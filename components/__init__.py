"""The log-archive components: ``LogArchive`` (archive account) and ``LogSource`` (workload accounts)."""
