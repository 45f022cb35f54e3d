#!/usr/bin/env python3
"""One WebArena episode against `dreambridge serve --env webarena` through its AgentGym routes.

Only the `requests` package is needed (Debian: python3-requests). The calls and shapes are those of
AgentGym's WebarenaEnvClient (agentenv-webarena) with env_server_base http://host:port/agentgym:

    POST /create                                 -> {"env_idx": i}
    POST /reset {"env_idx", "seed": 0, "idx"}    -> {"observation", "sites", "object"}   (idx = task id)
    POST /step  {"env_idx", "action": turn}      -> {"observation", "reward", "terminated", "truncated", "info"}
    GET  /observation?env_idx=i                  -> WebArena's prompt text of the current page
    POST /close {"env_idx"}                      -> {"closed": "closed"}

`action` is the model's whole turn; the server acts on its first ```-fenced block, as agentenv-webarena
does. Here the "model" is a list of turns given with --turn; an element may be named by role and name
(`[textbox 'Search by keyword']`), which this script replaces by its id in the current page.

Usage:
    python3 agentgym_webarena_episode.py http://127.0.0.1:8000 --idx 11 \
        --turn "In summary, the next action I will perform is \`\`\`type [textbox 'Search by keyword'] [Worcester] [1]\`\`\`" \
        --turn "\`\`\`stop [Liam Jensen]\`\`\`"
A base URL with a path token (http://host:port/t/TOKEN) works as it is; --token T sends a bearer header.
"""
import argparse
import json
import re
import sys

import requests


def resolve(turn, tree):
    """Replaces [role 'name'] by the element's [id] in the accessibility tree text."""
    def one(match):
        role, name = match.group(1), match.group(2)
        found = re.search(r"\[([^\]]+)\] %s '%s'" % (re.escape(role), re.escape(name)), tree)
        return "[%s]" % found.group(1) if found else match.group(0)
    return re.sub(r"\[(\w+) '([^']*)'\]", one, turn)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--idx", type=int, default=0)
    parser.add_argument("--turn", action="append", default=[])
    parser.add_argument("--token", default=None)
    args = parser.parse_args()

    base = args.url.rstrip("/") + "/agentgym"
    session = requests.Session()
    if args.token:
        session.headers["Authorization"] = "Bearer " + args.token

    def call(method, path, **kwargs):
        res = session.request(method, base + path, timeout=300, **kwargs)
        if res.status_code != 200:  # AgentGym's client asserts on this
            raise RuntimeError("%s answered %d: %s" % (path, res.status_code, res.text))
        return res.json()

    env_idx = call("POST", "/create")["env_idx"]  # sent without a body, as the client does
    try:
        reset = call("POST", "/reset", json={"env_idx": env_idx, "seed": 0, "idx": args.idx})
        if reset["observation"] == "TimeoutError":
            raise RuntimeError("the reset timed out")
        tree, total, terminated = reset["observation"], 0.0, False
        for n, turn in enumerate(args.turn, 1):
            result = call("POST", "/step", json={"env_idx": env_idx, "action": resolve(turn, tree)})
            # As WebarenaEnvClient: the reward counts once the episode terminated.
            reward = result["reward"] if result["terminated"] else 0
            total += reward
            terminated = result["terminated"]
            tree = call("GET", "/observation", params={"env_idx": env_idx})
            previous = re.search(r"^PREVIOUS ACTION: (.*)$", result["observation"], re.M)
            print("step %d reward=%s terminated=%s truncated=%s previous=%s" % (n, reward, terminated, result["truncated"], previous.group(1) if previous else None))
            if terminated:
                break
        print(json.dumps({"env_idx": env_idx, "objective": reset["object"], "total_reward": total, "terminated": terminated}))
    finally:
        print(json.dumps(call("POST", "/close", json={"env_idx": env_idx})))


if __name__ == "__main__":
    try:
        main()
    except RuntimeError as error:
        print(error, file=sys.stderr)
        sys.exit(1)
