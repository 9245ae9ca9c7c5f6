"""Intents as code: what must (or must not) reach what, recorded in the cloud assembly."""
