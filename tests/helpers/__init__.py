"""Helpers shared by the test folders (fixtures live in the conftest.py files): form posts
(forms), PDFs (pdfs), content folders (editions), rows and pages of each feature
(submissions, registrations, organizers, privacy, mail), faults and servers, fuzzing
settings, and a throwaway PostgreSQL server (postgres; `python -m tests.helpers.postgres`)."""
