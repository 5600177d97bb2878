#!/usr/bin/env python3
"""Icinga Web 2 as a user sees it, for tests/integration/director.t.

    webshot.py login BASE USER PASSWORD COOKIES.json
        logs in through the login form (cookie check, CSRF token) and saves the session cookies
    webshot.py fetch BASE PATH COOKIES.json
        prints the HTML of PATH fetched with that session
    webshot.py shot BASE COOKIES.json PROFILE-DIR WIDTHxHEIGHT WAIT-TEXT PATH=OUT.png [OPEN]
        loads PATH in headless Chromium with that session, waits until the page shows WAIT-TEXT,
        opens the collapsed form section whose title starts with OPEN (if given), saves a
        screenshot (OUT.png) and the DOM as Chromium built it (OUT.png.html)

Chromium is driven over its DevTools pipe (file descriptors 3 and 4), so nothing listens on a port.
"""
import base64
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-quic", "--hide-scrollbars", "--remote-debugging-pipe"]


def opener(cookies=None):
    jar = http.cookiejar.CookieJar()
    op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    if cookies:
        op.addheaders = [("Cookie", "; ".join("%s=%s" % (c["name"], c["value"])
                                              for c in json.load(open(cookies))))]
    return op, jar


def login(base, user, password, out):
    op, jar = opener()
    html = op.open(base + "/authentication/login", timeout=30).read().decode()
    form = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))
    if "CSRFToken" not in form:
        sys.exit("no login form at %s/authentication/login" % base)
    form.pop("rememberme", None)
    form.update(username=user, password=password)
    r = op.open(base + "/authentication/login", data=urllib.parse.urlencode(form).encode(),
                timeout=30)
    if "/authentication/login" in r.url:
        sys.exit("login refused: still on %s" % r.url)
    cookies = [{"name": c.name, "value": c.value, "url": base + "/"} for c in jar
               if c.path == "/"]
    with open(out, "w") as f:
        json.dump(cookies, f)


def fetch(base, path, cookies):
    op, _ = opener(cookies)
    sys.stdout.write(op.open(base + path, timeout=30).read().decode())


class DevTools:
    """One Chromium, spoken to over --remote-debugging-pipe: JSON messages ending in NUL."""

    def __init__(self, profile):
        to_browser, self.w = os.pipe()
        self.r, from_browser = os.pipe()

        def fds():  # the browser reads commands on fd 3 and answers on fd 4
            a, b = os.dup(to_browser), os.dup(from_browser)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            ["chromium"] + CHROMIUM_FLAGS + ["--user-data-dir=" + profile, "about:blank"],
            close_fds=False, preexec_fn=fds, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=open(profile + ".log", "w"))
        os.close(to_browser)
        os.close(from_browser)
        self.buf, self.n, self.events = b"", 0, []

    def recv(self):
        while b"\0" not in self.buf:
            chunk = os.read(self.r, 1 << 16)
            if not chunk:
                sys.exit("chromium closed its DevTools pipe (see its log)")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, session=None, **params):
        self.n += 1
        msg = {"id": self.n, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        while True:
            m = self.recv()
            if m.get("id") == self.n:
                if "error" in m:
                    sys.exit("%s: %s" % (method, m["error"]))
                return m["result"]
            self.events.append(m)

    def wait_event(self, name, deadline):
        while time.time() < deadline:
            for e in self.events:
                if e.get("method") == name:
                    self.events.remove(e)
                    return e
            self.events.append(self.recv())
        sys.exit("timed out waiting for " + name)

    def close(self):
        try:
            self.call("Browser.close")
            self.proc.wait(timeout=15)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()


def save(dt, s, out):
    """The screenshot in OUT, the DOM as Chromium built it in OUT.html."""
    dom = dt.call("Runtime.evaluate", s, expression="document.documentElement.outerHTML",
                  returnByValue=True)["result"]["value"]
    with open(out + ".html", "w") as f:
        f.write(dom)
    png = dt.call("Page.captureScreenshot", s, format="png")["data"]
    with open(out, "wb") as f:
        f.write(base64.b64decode(png))


def wait_for(dt, s, text, deadline, out, what):
    # Icinga Web 2 loads some parts after the page: wait until the text is there and nothing
    # is still loading, then a little more for the last layout.
    probe = ("document.body.textContent.includes(%s) && "
             "!document.querySelector('.loading, .impact')") % json.dumps(text)
    while not dt.call("Runtime.evaluate", s, expression=probe,
                      returnByValue=True)["result"].get("value"):
        if time.time() > deadline:
            save(dt, s, out)
            sys.exit("%s never showed %r (see %s)" % (what, text, out))
        time.sleep(0.2)
    time.sleep(0.5)


def shot(base, cookies, profile, size, wait_text, page, section=None):
    width, height = (int(x) for x in size.split("x"))
    path, out = page.rsplit("=", 1)
    dt = DevTools(profile)
    try:
        target = dt.call("Target.createTarget", url="about:blank")["targetId"]
        s = dt.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        dt.call("Page.enable", s)
        dt.call("Network.setCookies", s, cookies=json.load(open(cookies)))
        dt.call("Emulation.setDeviceMetricsOverride", s, width=width, height=height,
                deviceScaleFactor=1, mobile=False)
        dt.call("Page.navigate", s, url=base + path)
        deadline = time.time() + 30
        dt.wait_event("Page.loadEventFired", deadline)
        wait_for(dt, s, wait_text, deadline, out, path)
        if section:
            # A click on the legend, as a user opens a collapsed fieldset.
            click = ("[...document.querySelectorAll('fieldset.collapsed > legend')]"
                     ".filter(l => l.textContent.trim().startsWith(%s))"
                     ".map(l => (l.click(), 1)).length") % json.dumps(section)
            if not dt.call("Runtime.evaluate", s, expression=click,
                           returnByValue=True)["result"].get("value"):
                save(dt, s, out)
                sys.exit("%s: no collapsed section %r (see %s)" % (path, section, out))
            wait_for(dt, s, section, deadline, out, path)
        save(dt, s, out)
    finally:
        dt.close()


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "login":
        login(*args)
    elif cmd == "fetch":
        fetch(*args)
    elif cmd == "shot":
        shot(*args)
    else:
        sys.exit("usage: see the docstring")


if __name__ == "__main__":
    main()
