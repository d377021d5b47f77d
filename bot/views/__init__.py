"""Telegram-neutral text and buttons: what each officer reads, from the message catalogue."""
