#!/usr/bin/env python3
"""One episode against `dreambridge serve` through its AgentGym-compatible routes.

Only the `requests` package is needed (Debian: python3-requests). The calls and shapes are those
of AgentGym's WebshopEnvClient with base URL http://host:port/agentgym:

    POST /create                              -> env_idx (int)
    POST /reset  {"env_idx", "session_id"}    -> [observation, null]   (session_id = goal index)
    GET  /available_actions?env_idx=i         -> {"has_search_bar", "clickables"}
    POST /step   {"env_idx", "action"}        -> {"state", "reward", "done", "info": null}
    POST /close  {"env_idx"}                  -> {"closed": true}      (frees the browser context)

Usage:
    python3 agentgym_http_episode.py http://127.0.0.1:8000 [--goal 1500] [--mode dream] [--token T]
"""
import argparse
import json
import re
import sys

import requests


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--goal", type=int, default=1500)
    parser.add_argument("--mode", default=None, choices=["real", "dream"])
    parser.add_argument("--token", default=None)
    parser.add_argument("--max-steps", type=int, default=10)
    args = parser.parse_args()

    base = args.url.rstrip("/") + "/agentgym"
    session = requests.Session()
    if args.token:
        session.headers["Authorization"] = "Bearer " + args.token

    def post(path, body):
        res = session.post(base + path, json=body, timeout=120)
        if res.status_code != 200:
            raise RuntimeError("%s answered %d: %s" % (path, res.status_code, res.text))
        return res.json()

    def get(path, env_idx):
        res = session.get(base + path, params={"env_idx": env_idx}, timeout=120)
        if res.status_code != 200:
            raise RuntimeError("%s answered %d: %s" % (path, res.status_code, res.text))
        return res.json()

    env_idx = post("/create", {"mode": args.mode} if args.mode else {})
    try:
        observation, _ = post("/reset", {"env_idx": env_idx, "session_id": args.goal})
        instruction = get("/instruction_text", env_idx)
        total, steps, done = 0.0, 0, False
        while not done and steps < args.max_steps:
            available = get("/available_actions", env_idx)
            clickables = available["clickables"]
            if available["has_search_bar"]:
                words = re.split(r",| with ", re.sub(r"^(instruction: )?find me ", "", instruction, flags=re.I))[0]
                action = "search[%s]" % words[:40]
            elif any(re.match(r"^b0", c, re.I) for c in clickables):
                action = "click[%s]" % next(c for c in clickables if re.match(r"^b0", c, re.I))
            elif "buy now" in clickables:
                action = "click[buy now]"
            else:
                action = "click[back to search]"
            result = post("/step", {"env_idx": env_idx, "action": action})
            observation, done = result["state"], result["done"]
            total += result["reward"]
            steps += 1
            print("step %d %-40s reward=%s done=%s" % (steps, action, result["reward"], done))
        print(json.dumps({"env_idx": env_idx, "steps": steps, "total_reward": total, "done": done, "last_observation": observation[:120]}))
    finally:
        print(json.dumps(post("/close", {"env_idx": env_idx})))


if __name__ == "__main__":
    try:
        main()
    except RuntimeError as error:
        print(error, file=sys.stderr)
        sys.exit(1)
