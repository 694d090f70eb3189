#!/usr/bin/env python3
"""A seed-style client (Python requests, as in the seed's task 20) for the cases the
seed's main.py does not reach: it logs out with a session that a password reset has
ended, which the Flask service (one session, untouched by a reset) answers with its
302 to /, and it checks the status line's reason phrase of every answer, which
Werkzeug writes in capitals.

Usage: python3 reset_then_logout.py BASE_URL EMAIL
"""
import sys

import requests

BASE_URL = sys.argv[1].rstrip("/")
EMAIL = sys.argv[2]
PASSWD = "b4l0u"
NEW_PASSWD = "t4rt1fl3tt3"


def expect(response, status: int, reason: str) -> None:
    """Check the status code and the reason phrase of the status line."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.reason == reason, (response.status_code, response.reason)


def main() -> None:
    data = {"email": EMAIL, "password": PASSWD}
    expect(requests.post(f"{BASE_URL}/users", data=data), 200, "OK")
    expect(requests.post(f"{BASE_URL}/users", data=data), 400, "BAD REQUEST")
    expect(requests.post(f"{BASE_URL}/sessions",
                         data={"email": EMAIL, "password": "nope"}), 401, "UNAUTHORIZED")
    expect(requests.get(f"{BASE_URL}/profile"), 403, "FORBIDDEN")

    login = requests.post(f"{BASE_URL}/sessions", data=data)
    expect(login, 200, "OK")
    session_id = login.cookies.get("session_id")

    reset = requests.post(f"{BASE_URL}/reset_password", data={"email": EMAIL})
    expect(reset, 200, "OK")
    token = reset.json()["reset_token"]
    update = requests.put(f"{BASE_URL}/reset_password",
                          data={"email": EMAIL, "reset_token": token,
                                "new_password": NEW_PASSWD})
    expect(update, 200, "OK")
    assert update.json() == {"email": EMAIL, "message": "Password updated"}

    # The reset ended the session; logging out with it still lands on the home page.
    logout = requests.delete(f"{BASE_URL}/sessions",
                             cookies={"session_id": session_id})
    assert len(logout.history) == 1, logout.history
    expect(logout.history[0], 302, "FOUND")
    expect(logout, 200, "OK")
    assert logout.json() == {"message": "Bienvenue"}

    # A session id that was never issued is refused, as in the seed.
    never = requests.delete(f"{BASE_URL}/sessions",
                            cookies={"session_id": "00000000-0000-4000-8000-000000000000"})
    assert len(never.history) == 0, never.history
    expect(never, 403, "FORBIDDEN")


if __name__ == "__main__":
    main()
