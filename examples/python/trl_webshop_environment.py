#!/usr/bin/env python3
"""A TRL `environment_factory` class for WebShop served by `dreambridge serve`.

TRL's GRPOTrainer builds one instance per rollout (no constructor arguments), calls `reset(**row)`
with the dataset row's columns, exposes every public method but `reset` and `get_reward` to the
model as a tool (their docstrings are the tool schemas), and reads the reward from `get_reward()`.
This class needs only `requests` (Debian: python3-requests); TRL is not imported, so it also runs
on its own (see the bottom of the file).

    from trl import GRPOConfig, GRPOTrainer
    from trl_webshop_environment import WebShopEnv      # DREAMBRIDGE_URL=http://host:8000/t/TOKEN
    dataset = Dataset.from_dict({"prompt": [[{"role": "user", "content": "Shop for the item."}]] * 64,
                                 "task_id": [str(1500 + i) for i in range(64)]})
    trainer = GRPOTrainer(model="Qwen/Qwen3-0.6B", train_dataset=dataset, environment_factory=WebShopEnv,
                          args=GRPOConfig(chat_template_kwargs={"enable_thinking": False}))

It talks to the server's OpenEnv HTTP routes: POST /reset opens a session (its id comes back in
observation.session_id and is sent with every /step), POST /close frees the browser context.
The base URL may carry a path token (http://host:port/t/TOKEN), since TRL cannot set headers;
DREAMBRIDGE_TOKEN sends a bearer header instead.
"""
import os
import weakref

import requests

DREAMBRIDGE_URL = os.environ.get("DREAMBRIDGE_URL", "http://127.0.0.1:8000")
DREAMBRIDGE_TOKEN = os.environ.get("DREAMBRIDGE_TOKEN")
# "real" (the live site, counted in the server's budget), "dream" (the experience model) or None (the server's default).
DREAMBRIDGE_MODE = os.environ.get("DREAMBRIDGE_MODE") or None
TIMEOUT_S = float(os.environ.get("DREAMBRIDGE_TIMEOUT_S", "120"))


def _close_session(http, url, session_id):
    try:
        http.post(url + "/close", json={"session_id": session_id}, timeout=10)
    except requests.RequestException:
        pass  # the server reaps idle sessions anyway


class WebShopEnv:
    def __init__(self):
        self._url = DREAMBRIDGE_URL.rstrip("/")
        self._http = requests.Session()
        if DREAMBRIDGE_TOKEN:
            self._http.headers["Authorization"] = "Bearer " + DREAMBRIDGE_TOKEN
        self._session_id = None
        self._finalizer = None
        self.reward = 0.0
        self.done = False
        self.truncated = False
        self.observation = None

    def _post(self, path, body):
        res = self._http.post(self._url + path, json=body, timeout=TIMEOUT_S)
        if res.status_code != 200:
            raise RuntimeError("%s answered %d: %s" % (path, res.status_code, res.text[:300]))
        return res.json()

    def _show(self, payload):
        obs = payload["observation"]
        self.observation = obs
        self.reward += payload["reward"] or 0.0
        self.done = payload["done"]
        self.truncated = obs["truncated"]
        actions = obs["available_actions"]
        options = ("search[...]" if actions.get("has_search_bar") else "") + " ".join("click[%s]" % c for c in actions.get("clickables", []))
        return "%s\n\nAvailable actions: %s" % (obs["text"], options.strip() or "none")

    def reset(self, task_id=None, seed=None, **kwargs):
        """Starts an episode (TRL passes the dataset row's columns) and returns the first page as the prompt."""
        body = {"task_id": task_id, "seed": seed, "mode": kwargs.get("mode", DREAMBRIDGE_MODE), "session_id": self._session_id}
        try:
            payload = self._post("/reset", body)
        except RuntimeError:
            if self._session_id is None:
                raise
            # The session was closed (reaped, or the server restarted): open a new one.
            body["session_id"] = None
            payload = self._post("/reset", body)
        if payload["observation"]["session_id"] != self._session_id:
            self._session_id = payload["observation"]["session_id"]
            if self._finalizer is not None:
                self._finalizer.detach()
            self._finalizer = weakref.finalize(self, _close_session, self._http, self._url, self._session_id)
        self.reward, self.done, self.truncated = 0.0, False, False
        return "Instruction: %s\n\n%s" % (payload["observation"]["instruction"], self._show(payload))

    def get_reward(self):
        """The episode's reward (TRL calls it once the rollout is over)."""
        return self.reward

    def _act(self, action):
        if self.done:
            raise ValueError("The episode is over.")
        payload = self._post("/step", {"action": {"action_str": action}, "session_id": self._session_id})
        text = self._show(payload)
        error = payload["observation"]["last_action_error"]
        if error:
            # TRL feeds a tool's exception back to the model as the tool's answer.
            raise ValueError(error)
        if self.truncated:
            return text + "\n\nThe step limit is reached: the episode ended without a purchase."
        return text

    def search(self, query: str) -> str:
        """
        Search the shop (only on a page with a search bar).

        Args:
            query: The words to search for, e.g. "brass desk lamp under 40 dollars".

        Returns:
            The results page and the actions it offers.
        """
        return self._act("search[%s]" % query)

    def click(self, target: str) -> str:
        """
        Click a button, a product or an option of the current page.

        Args:
            target: One of the page's clickables, e.g. "b0abcdefgh", "buy now", "back to search", "large".

        Returns:
            The next page and the actions it offers.
        """
        return self._act("click[%s]" % target)


if __name__ == "__main__":
    # Standalone: one episode with a tiny scripted policy, as TRL would drive the tools.
    import argparse
    import json
    import re

    parser = argparse.ArgumentParser()
    parser.add_argument("url", nargs="?", default=DREAMBRIDGE_URL)
    parser.add_argument("--task", default="1500")
    parser.add_argument("--mode", default=None, choices=["real", "dream"])
    args = parser.parse_args()
    DREAMBRIDGE_URL, DREAMBRIDGE_MODE = args.url, args.mode
    env = WebShopEnv()
    prompt = env.reset(task_id=args.task)
    print("prompt:", prompt.splitlines()[0])
    try:
        env.click("a button that is not there")
    except ValueError as error:
        print("tool error:", error)
    words = re.split(r",| with ", re.sub(r"^(instruction: )?find me ", "", env.observation["instruction"], flags=re.I))[0]
    page = env.search(words[:40])
    for _ in range(8):
        if env.done:
            break
        clickables = env.observation["available_actions"]["clickables"]
        products = [c for c in clickables if re.match(r"^b0", c, re.I)]
        page = env.click(products[0] if env.observation.get("page_type") == "results" and products else ("buy now" if "buy now" in clickables else "back to search"))
    print(json.dumps({"reward": env.get_reward(), "done": env.done, "truncated": env.truncated, "session_id": env._session_id}))
