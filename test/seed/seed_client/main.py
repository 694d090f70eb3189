#!/usr/bin/env python3
"""End-to-end integration test of the seed's task 20, written against the Flask
service's contract: one function per step, each querying the running web server
with the requests module and asserting the status code and JSON payload.

Usage: python3 main.py [BASE_URL]   (default http://localhost:5000)
"""
import sys

import requests

BASE_URL = (sys.argv[1] if len(sys.argv) > 1 else "http://localhost:5000")
BASE_URL = BASE_URL.rstrip("/")


def register_user(email: str, password: str) -> None:
    """Register a new user and check that a second registration is refused."""
    data = {"email": email, "password": password}
    response = requests.post(f"{BASE_URL}/users", data=data)
    assert response.status_code == 200, response.text
    assert response.json() == {"email": email, "message": "user created"}
    response = requests.post(f"{BASE_URL}/users", data=data)
    assert response.status_code == 400, response.text
    assert response.json() == {"message": "email already registered"}


def log_in_wrong_password(email: str, password: str) -> None:
    """Try to log in with a wrong password and check that it is refused."""
    data = {"email": email, "password": password}
    response = requests.post(f"{BASE_URL}/sessions", data=data)
    assert response.status_code == 401, response.text
    assert "session_id" not in response.cookies


def log_in(email: str, password: str) -> str:
    """Log in with the right password and return the session ID cookie."""
    data = {"email": email, "password": password}
    response = requests.post(f"{BASE_URL}/sessions", data=data)
    assert response.status_code == 200, response.text
    assert response.json() == {"email": email, "message": "logged in"}
    session_id = response.cookies.get("session_id")
    assert session_id is not None and len(session_id) == 36, session_id
    return session_id


def profile_unlogged() -> None:
    """Ask for the profile without a session cookie and check it is refused."""
    response = requests.get(f"{BASE_URL}/profile")
    assert response.status_code == 403, response.text


def profile_logged(session_id: str) -> None:
    """Ask for the profile with the session cookie and check the email."""
    cookies = {"session_id": session_id}
    response = requests.get(f"{BASE_URL}/profile", cookies=cookies)
    assert response.status_code == 200, response.text
    assert response.json() == {"email": EMAIL}


def log_out(session_id: str) -> None:
    """Log out, follow the redirect to the home page and check its payload."""
    cookies = {"session_id": session_id}
    response = requests.delete(f"{BASE_URL}/sessions", cookies=cookies)
    assert len(response.history) == 1, response.history
    assert response.history[0].status_code == 302
    assert response.status_code == 200, response.text
    assert response.json() == {"message": "Bienvenue"}


def reset_password_token(email: str) -> str:
    """Ask for a reset password token and return it."""
    response = requests.post(f"{BASE_URL}/reset_password",
                             data={"email": email})
    assert response.status_code == 200, response.text
    payload = response.json()
    assert set(payload) == {"email", "reset_token"}, payload
    assert payload["email"] == email
    assert isinstance(payload["reset_token"], str)
    assert len(payload["reset_token"]) == 36, payload["reset_token"]
    return payload["reset_token"]


def update_password(email: str, reset_token: str, new_password: str) -> None:
    """Update the password with the reset token and check the payload."""
    data = {"email": email, "reset_token": reset_token,
            "new_password": new_password}
    response = requests.put(f"{BASE_URL}/reset_password", data=data)
    assert response.status_code == 200, response.text
    assert response.json() == {"email": email, "message": "Password updated"}


EMAIL = "guillaume@holberton.io"
PASSWD = "b4l0u"
NEW_PASSWD = "t4rt1fl3tt3"


if __name__ == "__main__":

    register_user(EMAIL, PASSWD)
    log_in_wrong_password(EMAIL, NEW_PASSWD)
    profile_unlogged()
    session_id = log_in(EMAIL, PASSWD)
    profile_logged(session_id)
    log_out(session_id)
    reset_token = reset_password_token(EMAIL)
    update_password(EMAIL, reset_token, NEW_PASSWD)
    log_in(EMAIL, NEW_PASSWD)
