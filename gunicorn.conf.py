"""gunicorn's settings for Coalition Feedback (gunicorn reads ./gunicorn.conf.py by default, so
``scripts/run.sh``, a deployment and the tests that run the app as deployed all get them).

Workers are forked from a master that has built the app once (``preload_app``): a worker that
dies (a crash, the OOM killer, ``kill -9``) is replaced in milliseconds, where importing the app
again took about 2 s of CPU taken from the workers still serving on a small machine
(docs/reliability.md, "What survives which failure").
"""

preload_app = True

#: Seconds a request may take before its worker is killed and replaced (gunicorn's default is
#: 30). A review view whose counts are not remembered yet (after a restore, before the
#: worker's first round) counts its whole period: a past year's report took up to 35 s at
#: ten million answers (docs/analysis.md, "Speed with years of data"), and a worker killed
#: at 30 s would never finish it. Put the proxy's read timeout above this.
timeout = 60


def post_fork(server, worker):
    """A database connection the master opened while building the app must not be shared by
    two processes: each worker forgets the inherited pool without closing it (SQLAlchemy's
    advice for ``os.fork``) and opens its own connections."""
    from feedback.core.extensions import db
    from wsgi import app

    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
