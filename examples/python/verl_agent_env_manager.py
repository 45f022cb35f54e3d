#!/usr/bin/env python3
"""A verl-agent environment manager over `dreambridge serve`'s OpenEnv WebSocket protocol.

verl-agent's rollout loop talks to an EnvironmentManagerBase: `reset(kwargs)` returns the batch's
observations {'text', 'image', 'anchor'} and infos, `step(text_actions)` projects each model turn
(`<think>…</think><action>…</action>`) to an action and returns observations, rewards, dones and
infos (`is_action_valid`, `won`, `available_actions`), `success_evaluator(...)` reads `won`. This
class has that interface with one WS /ws connection (one server session) per environment of the
batch, all stepped concurrently. It needs only `websockets` (Debian: python3-websockets); numpy
is used for the arrays when it is installed, plain lists otherwise.

    manager = DreambridgeEnvironmentManager("http://host:8000/t/TOKEN", num_envs=128, tasks=[...])
    obs, infos = manager.reset({})
    obs, rewards, dones, infos = manager.step(["<think>…</think><action>search[red shoes]</action>", ...])

In verl-agent, construct it in `make_envs` in place of the WebShop manager (the projection is
built in). The base URL may carry a path token (http://host:port/t/TOKEN); `token=` sends a bearer
header instead. Episodes that reach the site's step limit end with `truncated` in their info.
"""
import asyncio
import json
import re

import websockets

try:
    import numpy as np
except ImportError:  # the manager works without numpy
    np = None

_ACTION = re.compile(r"<action>(.*?)</action>", re.S)


def _array(values):
    return np.array(values) if np is not None else list(values)


def project(text):
    """verl-agent's projection: the text of the one <action> tag, valid only with a <think> part too."""
    actions = _ACTION.findall(text)
    if len(actions) != 1:
        return text.strip()[-200:], False
    return actions[0].strip(), "<think>" in text and "</think>" in text


class DreambridgeEnvironmentManager:
    def __init__(self, base_url, num_envs, tasks=None, mode=None, token=None, timeout_s=120.0):
        self.base_url = base_url.rstrip("/")
        self.num_envs = num_envs
        self.tasks = list(tasks) if tasks else None
        self.mode = mode
        self.token = token
        self.timeout_s = timeout_s
        self._loop = asyncio.new_event_loop()
        self._sockets = [None] * num_envs
        self._resets = 0
        self.observations = [None] * num_envs

    # --- the WS protocol -------------------------------------------------------------------
    async def _connect(self, i):
        if self._sockets[i] is not None:
            return self._sockets[i]
        url = re.sub(r"^http", "ws", self.base_url) + "/ws"
        headers = {"Authorization": "Bearer " + self.token} if self.token else None
        if headers is None:
            ws = await websockets.connect(url, max_size=2**24)
        else:
            try:  # websockets >= 14
                ws = await websockets.connect(url, additional_headers=headers, max_size=2**24)
            except TypeError:  # websockets <= 13
                ws = await websockets.connect(url, extra_headers=headers, max_size=2**24)
        self._sockets[i] = ws
        return ws

    async def _request(self, i, message):
        ws = await self._connect(i)
        await ws.send(json.dumps(message))
        reply = json.loads(await asyncio.wait_for(ws.recv(), self.timeout_s))
        if reply["type"] == "error":
            raise RuntimeError("env %d: server error %s: %s" % (i, reply["data"]["code"], reply["data"]["message"]))
        return reply["data"]

    def _run(self, coroutines):
        async def together():
            return await asyncio.gather(*coroutines)
        return self._loop.run_until_complete(together())

    # --- what verl-agent calls -------------------------------------------------------------
    def _info(self, payload, valid=True):
        obs = payload["observation"]
        return {
            "available_actions": obs["available_actions"],
            "won": bool(payload["done"] and not obs["truncated"] and (payload["reward"] or 0) >= 1.0),
            "truncated": obs["truncated"],
            "is_action_valid": 1 if valid and not obs["last_action_error"] else 0,
            "last_action_error": obs["last_action_error"],
            "episode_id": obs["episode_id"],
            "source": obs["source"],
        }

    def build_text_obs(self, i):
        obs = self.observations[i]
        actions = obs["available_actions"]
        admissible = (["search[<your query>]"] if actions.get("has_search_bar") else []) + ["click[%s]" % c for c in actions.get("clickables", [])]
        return (
            "You are an expert autonomous agent operating in the WebShop e-commerce platform.\n"
            "Your task is to: %s\nYour current observation is: %s\nYour admissible actions of the current situation are: [%s].\n"
            "Now it's your turn to take one action for the current step.\n"
            "You should first reason step-by-step about the current situation, then think carefully which admissible action best advances the shopping goal. "
            "This reasoning process MUST be enclosed within <think> </think> tags.\n"
            "Once you've finished your reasoning, you should choose an admissible action for current step and present it within <action> </action> tags."
        ) % (obs["instruction"], obs["text"], ", ".join("'%s'" % a for a in admissible))

    def reset(self, kwargs=None):
        """Resets every environment of the batch (tasks in turn from `tasks`, else the server's)."""
        def data(i):
            body = {"mode": self.mode}
            if self.tasks:
                body["task_id"] = self.tasks[(self._resets + i) % len(self.tasks)]
            return body
        payloads = self._run([self._request(i, {"type": "reset", "data": data(i)}) for i in range(self.num_envs)])
        self._resets += self.num_envs
        self.observations = [p["observation"] for p in payloads]
        texts = [self.build_text_obs(i) for i in range(self.num_envs)]
        return {"text": texts, "image": None, "anchor": [o["text"] for o in self.observations]}, [self._info(p) for p in payloads]

    def step(self, text_actions):
        """Projects each turn to an action and steps every environment at once."""
        projected = [project(t) for t in text_actions]
        payloads = self._run([self._request(i, {"type": "step", "data": {"action_str": action, "thought": text_actions[i]}}) for i, (action, _) in enumerate(projected)])
        self.observations = [p["observation"] for p in payloads]
        infos = [self._info(p, projected[i][1]) for i, p in enumerate(payloads)]
        for i, info in enumerate(infos):
            info["projected_action"] = projected[i][0]
        texts = [self.build_text_obs(i) for i in range(self.num_envs)]
        rewards = _array([float(p["reward"] or 0.0) for p in payloads])
        dones = _array([bool(p["done"]) for p in payloads])
        return {"text": texts, "image": None, "anchor": [o["text"] for o in self.observations]}, rewards, dones, infos

    def success_evaluator(self, *args, **kwargs):
        """verl-agent's default: `won` of each episode's last active step."""
        total_infos, total_batch_list = kwargs["total_infos"], kwargs["total_batch_list"]
        success = []
        for b, batch in enumerate(total_batch_list):
            for i in reversed(range(len(batch))):
                if batch[i]["active_masks"]:
                    success.append(float(total_infos[b][i]["won"]))
                    break
        return {"success_rate": _array(success)}

    def close(self):
        async def close_all():
            for ws in self._sockets:
                if ws is not None:
                    try:
                        await ws.send(json.dumps({"type": "close"}))
                        await ws.close()
                    except websockets.WebSocketException:
                        pass
        self._loop.run_until_complete(close_all())
        self._sockets = [None] * self.num_envs
        self._loop.close()


if __name__ == "__main__":
    # Standalone: a batch of episodes with a scripted "model" writing verl-agent's turn format.
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--tasks", default="1500,1501")
    parser.add_argument("--mode", default=None, choices=["real", "dream"])
    parser.add_argument("--token", default=None)
    parser.add_argument("--max-turns", type=int, default=8)
    args = parser.parse_args()
    tasks = args.tasks.split(",")
    manager = DreambridgeEnvironmentManager(args.url, num_envs=len(tasks), tasks=tasks, mode=args.mode, token=args.token)

    def turn(obs, first):
        if first:
            return "I will look around first."  # no tags: projected as invalid
        actions, clickables = obs["available_actions"], obs["available_actions"].get("clickables", [])
        if actions.get("has_search_bar"):
            action = "search[%s]" % re.split(r",| with ", re.sub(r"^(instruction: )?find me ", "", obs["instruction"], flags=re.I))[0][:40]
        elif obs.get("page_type") == "results" and any(re.match(r"^b0", c, re.I) for c in clickables):
            action = "click[%s]" % next(c for c in clickables if re.match(r"^b0", c, re.I))
        elif "buy now" in clickables:
            action = "click[buy now]"
        else:
            action = "click[back to search]"
        return "<think>The page offers %d actions.</think><action>%s</action>" % (len(clickables), action)

    try:
        manager.reset({})
        dones, history, step_infos_of, totals = [False] * len(tasks), [[] for _ in tasks], [[] for _ in tasks], [0.0] * len(tasks)
        for n in range(args.max_turns):
            if all(dones):
                break
            _, rewards, step_dones, step_infos = manager.step([turn(manager.observations[i], n == 0) for i in range(len(tasks))])
            for i in range(len(tasks)):
                # As verl-agent's batch: a step is active until its episode is done.
                history[i].append({"active_masks": not dones[i]})
                step_infos_of[i].append(step_infos[i])
                if not dones[i]:
                    totals[i] += float(rewards[i])
                dones[i] = dones[i] or bool(step_dones[i])
            print("turn %d valid=%s dones=%s" % (n + 1, [int(i["is_action_valid"]) for i in step_infos], [bool(d) for d in step_dones]))
        rate = manager.success_evaluator(total_infos=step_infos_of, total_batch_list=history)["success_rate"]
        print(json.dumps({"success_rate": [float(x) for x in rate], "total_rewards": totals, "episode_ids": [infos[0]["episode_id"] for infos in step_infos_of]}))
    finally:
        manager.close()
