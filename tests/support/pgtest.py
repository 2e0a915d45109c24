"""What the Python tests share with the C harness (tests/support/harness.h):
a free loopback port, and a database of the test's own made from the
template that scripts/test.sh prepares (SAMLAD_TEST_PGHOST,
SAMLAD_TEST_TEMPLATE)."""
import os
import socket
import subprocess
import time

PGHOST = os.environ.get("SAMLAD_TEST_PGHOST")
TEMPLATE = os.environ.get("SAMLAD_TEST_TEMPLATE")


def free_port():
    """A loopback port nothing listens on now."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def psql_super(sql):
    """Runs one statement as the cluster's superuser; raises when it fails."""
    subprocess.run(["psql", "-X", "-q", "-h", PGHOST, "-U", "postgres", "-d", "postgres",
                    "-v", "ON_ERROR_STOP=1", "-c", sql], check=True, capture_output=True)


def make_db(name):
    """A fresh database `name` from the template. CREATE DATABASE fails while
    another session uses the template (tests run two at a time), so it is
    tried again for up to ten seconds."""
    psql_super(f"DROP DATABASE IF EXISTS {name}")
    for i in range(100):
        try:
            psql_super(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE} OWNER samlad_admin")
            return
        except subprocess.CalledProcessError:
            if i == 99:
                raise
            time.sleep(0.1)
