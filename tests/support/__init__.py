"""Helpers shared by the test folders; no test module imports another.

engine: a case walked through the pure engine (roster, letter, `CaseDriver`).
harness: the real service on a real SQLite file, with a configured Dinas.
chat: officers pressing and typing in the stand-in Telegram (`demo.stage`).
local_time: wall-clock times in Jakarta.
docs: .docx files to upload and ways to read documents back.
config_files, sop_files: a valid config and SOP, and the mistakes written into them.
figures: what the safety tests measure, printed at the end of the run.
paths: where the project's files are.
"""
