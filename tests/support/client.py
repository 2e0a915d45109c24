"""An HTTP request of the Python tests over a connection of its own
(redirects not followed), and its answer."""
import http.client
import json


class Answer:
    """A status, the headers and the body (bytes) of one answer."""

    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def type(self):
        """The media type, lower case, without parameters."""
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def error(self):
        """The "error" code of a JSON error answer, or None."""
        try:
            return json.loads(self.body).get("error")
        except ValueError:
            return None


def request(base, method, path, token=None, body=None, ctype=None, headers=None, host=None,
            cookie=None):
    """One request to base ("http://HOST:PORT", HOST may be [IPv6]); host
    connects elsewhere than base's host."""
    h, port = base.rsplit("/", 1)[1].rsplit(":", 1)
    c = http.client.HTTPConnection(host or h.strip("[]"), int(port), timeout=60)
    sent = dict(headers or {})
    if token:
        sent["Authorization"] = "Bearer " + token
    if cookie:
        sent["Cookie"] = cookie
    if ctype:
        sent["Content-Type"] = ctype
    c.request(method, path, body=body, headers=sent)
    r = c.getresponse()
    a = Answer(r.status, r.headers, r.read())
    c.close()
    return a
