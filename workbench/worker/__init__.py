"""Running jobs: the runner owns each job's transactions; the backends decide who runs it.

runner.py   Runtime (sessions, settings, one embedding model per process), run_job, heartbeat.
loop.py     the worker that polls the job table: `workbench worker` without Redis, and the one
            bounded thread the web process starts when it serves with the in-process default.
rq_queue.py RQ on Redis for team deployments: the enqueuing side and the task function.
dispatch.py hands job ids to the configured backend once the enqueuing transaction commits.
"""
