"""validate.py: checks the compose files offline, as docker-compose resolves them, and what they
promise operators beyond docker-compose's own checks (run by tests/run as test_compose_config and
test_compose_tls_config):
- the paragraph 8 reminders' operator key (docs/notifications.md) is a compose secret from a file,
  mounted in the migration job (which stores it) and the catalog (which calls with it), and
  UNIC_REMINDER_KEY_FILE names the mounted file there; no other container gets it;
- the bootstrap key is in the migration job only (docs/hardening.md).
  python3 deploy/docker/validate.py <docker-compose executable> <compose file>...
The secrets must be set in the environment (placeholders do: nothing is started)."""
import subprocess
import sys

import yaml

REMINDER_SECRET = "unic_reminder_key"
READERS = ("migrate", "catalog")


def secret_targets(service):
    """The secrets mounted in a service: source name -> path in the container."""
    out = {}
    for s in service.get("secrets") or []:
        if isinstance(s, str):
            s = {"source": s}
        target = s.get("target") or s["source"]
        out[s["source"]] = target if target.startswith("/") else "/run/secrets/" + target
    return out


def main():
    compose, files = sys.argv[1], sys.argv[2:]
    args = [compose]
    for f in files:
        args += ["-f", f]
    config = yaml.safe_load(subprocess.run(args + ["config"], check=True, capture_output=True,
                                           text=True).stdout)
    problems = []
    secret = (config.get("secrets") or {}).get(REMINDER_SECRET)
    if not secret or not secret.get("file"):
        problems.append("no secret %s read from a file" % REMINDER_SECRET)
    for name, service in config["services"].items():
        env = service.get("environment") or {}
        mounted = secret_targets(service)
        path = env.get("UNIC_REMINDER_KEY_FILE")
        if name in READERS:
            if REMINDER_SECRET not in mounted:
                problems.append("%s: the secret %s is not mounted" % (name, REMINDER_SECRET))
            elif path != mounted[REMINDER_SECRET]:
                problems.append("%s: UNIC_REMINDER_KEY_FILE is %r, not the mounted secret %s"
                                % (name, path, mounted[REMINDER_SECRET]))
        elif REMINDER_SECRET in mounted or path:
            problems.append("%s holds the reminders' operator key: only %s may" % (name, " and ".join(READERS)))
        if name != "migrate" and (env.get("UNIC_BOOTSTRAP_KEY") or env.get("UNIC_BOOTSTRAP_KEY_FILE")):
            problems.append("%s holds the bootstrap key: the migration job stores it" % name)
    for p in problems:
        print("%s: %s" % (" + ".join(files), p), file=sys.stderr)
    if problems:
        sys.exit(1)
    print("%s: valid; the reminders' key mounted in %s only" % (" + ".join(files), " and ".join(READERS)))


if __name__ == "__main__":
    main()
