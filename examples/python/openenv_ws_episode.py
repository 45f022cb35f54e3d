#!/usr/bin/env python3
"""One episode against `dreambridge serve` over OpenEnv's WebSocket protocol.

Only the `websockets` package is needed (Debian: python3-websockets). This is what OpenEnv's
EnvClient (and so TRL's OpenEnv integration) sends and reads, written out by hand:

    {"type": "reset", "data": {...}}            -> {"type": "observation", "data": {"observation", "reward", "done"}}
                                                   (observation: text, available_actions, source, truncated, episode_id,
                                                    session_id, step_count, last_action_error, info)
    {"type": "step", "data": {"action_str": s}} -> {"type": "observation", ...}
    {"type": "state"}                           -> {"type": "state", "data": {...}}
    {"type": "close"}                           -> the server closes the session and the connection
    any failure                                 -> {"type": "error", "data": {"code", "message"}}

Usage:
    python3 openenv_ws_episode.py http://127.0.0.1:8000 [--task 1500] [--mode real|dream] [--token T]

Prints one line per step and a final JSON summary line.
"""
import argparse
import asyncio
import json
import re
import sys

import websockets


def choose_action(obs):
    """A tiny policy any WebShop page accepts: search, open the first product, buy."""
    actions = obs.get("available_actions", {})
    clickables = actions.get("clickables", [])
    if actions.get("has_search_bar"):
        words = re.split(r",| with ", re.sub(r"^find me ", "", obs["instruction"], flags=re.I))[0]
        return "search[%s]" % words[:40]
    if obs.get("page_type") == "results":
        products = [c for c in clickables if re.match(r"^b0", c, re.I)]
        return "click[%s]" % (products[0] if products else "back to search")
    if "buy now" in clickables:
        return "click[buy now]"
    return "click[back to search]"


async def connect(url, token):
    ws_url = re.sub(r"^http", "ws", url.rstrip("/")) + "/ws"
    headers = {"Authorization": "Bearer " + token} if token else None
    if headers is None:
        return await websockets.connect(ws_url, max_size=2**24)
    try:  # websockets >= 14
        return await websockets.connect(ws_url, additional_headers=headers, max_size=2**24)
    except TypeError:  # websockets <= 13 (Debian 12 ships 10.4)
        return await websockets.connect(ws_url, extra_headers=headers, max_size=2**24)


async def request(ws, message):
    await ws.send(json.dumps(message))
    reply = json.loads(await ws.recv())
    if reply["type"] == "error":
        raise RuntimeError("server error %s: %s" % (reply["data"]["code"], reply["data"]["message"]))
    return reply["data"]


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--task", default="1500")
    parser.add_argument("--mode", default=None, choices=["real", "dream"])
    parser.add_argument("--token", default=None)
    parser.add_argument("--max-steps", type=int, default=10)
    args = parser.parse_args()

    ws = await connect(args.url, args.token)
    try:
        reset = {"task_id": args.task}
        if args.mode:
            reset["mode"] = args.mode
        result = await request(ws, {"type": "reset", "data": reset})
        total = 0.0
        steps = 0
        while not result["done"] and steps < args.max_steps:
            action = choose_action(result["observation"])
            result = await request(ws, {"type": "step", "data": {"action_str": action, "thought": "example policy"}})
            steps += 1
            total += result["reward"] or 0.0
            obs = result["observation"]
            print("step %d %-40s reward=%s done=%s page=%s source=%s" % (steps, action, result["reward"], result["done"], obs.get("page_type"), obs["source"]))
        state = (await request(ws, {"type": "state"}))
        await ws.send(json.dumps({"type": "close"}))
        print(json.dumps({"steps": steps, "total_reward": total, "done": result["done"], "state": state}))
    finally:
        await ws.close()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except RuntimeError as error:
        print(error, file=sys.stderr)
        sys.exit(1)
