"""Forms for cfp: the submission (new and edit), withdrawing, and the lost-link request.

The submission forms also read a post for the services: author-row buttons (which only
rearrange the form), the PDF (checked, then kept on disk so a form shown again still has it),
the honeypot, and the cleaned fields, handed on as a services.SubmissionPost."""

from __future__ import annotations

import re
from dataclasses import replace

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..content import current_workshop
from ..core.emails import EmailAddress, normalize_email, strip_address
from ..core.text import VisibleTextMeta
from ..core.tokens import looks_like_nonce, new_nonce
from . import services
from .models import AFFILIATION_MAX, NAME_MAX, NOTE_MAX, Submission

MAX_AUTHORS = services.MAX_AUTHORS
# Buttons that only rearrange the author rows (they work without JavaScript): they re-show the
# form and never count as a submission attempt.
ROW_ACTION = re.compile(r"^(add|remove-(\d+)|up-(\d+)|down-(\d+))$")


def is_row_action(action: str | None) -> bool:
    return bool(action and ROW_ACTION.match(action))


class _RowRequired:
    """Required, but only in an author row that has anything in it: a blank row is skipped."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: Form, field) -> None:  # type: ignore[no-untyped-def]
        if _row_is_blank(form):
            raise StopValidation()
        if not field.data:
            raise StopValidation(self.message)


def _row_is_blank(row: Form) -> bool:
    return not any((row[name].data or "").strip() for name in ("name", "email", "affiliation"))


class AuthorForm(Form):
    Meta = VisibleTextMeta
    name = StringField(
        "Name",
        filters=[services.clean_line],
        validators=[_RowRequired("Enter the author's name."), Length(max=NAME_MAX)],
        render_kw={"autocomplete": "off"},
    )
    email = EmailField(
        "Email",
        filters=[strip_address],
        validators=[
            _RowRequired("Enter the author's email address."),
            EmailAddress(),
        ],
        render_kw={"autocomplete": "off"},
    )
    affiliation = StringField(
        "Affiliation",
        filters=[services.clean_line],
        validators=[
            _RowRequired("Enter the author's affiliation (or “Independent”)."),
            Length(max=AFFILIATION_MAX),
        ],
        render_kw={"autocomplete": "off"},
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SubmissionFieldsForm(FlaskForm):
    """The fields a submission has; NewSubmissionForm and EditSubmissionForm add their own."""

    Meta = VisibleTextMeta

    pdf_required = True

    title = StringField(
        "Title", filters=[services.clean_line], validators=[DataRequired("Enter the title.")]
    )
    # No max_entries: FieldList would silently drop the rows past it. Every posted row is
    # read (MAX_FORM_PARTS bounds how many) and validate_authors refuses too many.
    authors = FieldList(FormField(AuthorForm), min_entries=1)
    # Rendered by hand as one radio button in each author row; the value is the row's index.
    contact = StringField("Contact author", default="0")
    topics = MultiCheckboxField("Topics")
    abstract = TextAreaField(
        "Abstract", filters=[services.clean_text], validators=[DataRequired("Enter the abstract.")]
    )
    pdf = FileField("Extended abstract (PDF)")
    # A checked PDF from an earlier post of this form (signed); see services.KeptUpload.
    pdf_upload = HiddenField()
    note = TextAreaField(
        "Note to the organizers",
        filters=[services.clean_text],
        validators=[Length(max=NOTE_MAX, message=f"Keep the note under {NOTE_MAX} characters.")],
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.topics.choices = [(t.key, t.title) for t in current_workshop().topics]
        self.pdf.render_kw = {
            "accept": "application/pdf,.pdf",
            "data-max-bytes": services.rules().max_file_bytes,
        }
        self.kept: services.KeptUpload | None = None  # the PDF this form carries, once checked
        self.new_pdf: tuple[bytes, services.PdfInfo, str] | None = None
        self.stored_now = False  # whether this request stored `kept`

    # --- validation ---

    def validate_title(self, field: StringField) -> None:
        limit = services.rules().title_chars_max
        if len(field.data) > limit:
            raise ValidationError(
                f"The title has {len(field.data)} characters; the limit is {limit}."
            )

    def validate_authors(self, field: FieldList) -> None:
        rows = [entry.form for entry in field.entries if not _row_is_blank(entry.form)]
        if not rows:
            raise ValidationError("Add at least one author, with name, email and affiliation.")
        if len(rows) > MAX_AUTHORS:
            raise ValidationError(
                f"A submission can have at most {MAX_AUTHORS} authors; this form lists "
                f"{len(rows)}. Please remove {len(rows) - MAX_AUTHORS}."
            )
        seen: set[str] = set()
        duplicates = False
        for row in rows:
            address = normalize_email(row.email.data or "")
            if address and address in seen:
                row.email.errors.append("Another author above has this address already.")
                duplicates = True
            seen.add(address)
        if duplicates:
            raise ValidationError("Each author needs their own email address.")

    def validate_contact(self, field: StringField) -> None:
        index = self.contact_index()
        entries = self.authors.entries
        if all(_row_is_blank(entry.form) for entry in entries):
            return  # "add at least one author" says it all
        if index is None or _row_is_blank(entries[index].form):
            raise ValidationError("Choose the contact author: one of the authors listed.")

    def validate_topics(self, field: MultiCheckboxField) -> None:
        if not field.data:
            raise ValidationError("Choose at least one topic.")

    def validate_abstract(self, field: TextAreaField) -> None:
        limit = services.rules().abstract_words_max
        words = services.count_words(field.data)
        if words > limit:
            raise ValidationError(
                f"The abstract has {words} words; the limit is {limit}. "
                f"Please shorten it by {words - limit}."
            )
        if len(field.data) > limit * 40:  # words of absurd length: not an abstract
            raise ValidationError("The abstract is too long. Please shorten it.")

    def validate_pdf(self, field: FileField) -> None:
        """A new file is checked (and remembered for keep_pdf); else the kept one counts."""
        self.check_pdf()
        if field.errors:
            raise StopValidation()
        if self.new_pdf is None and self.kept is None and self.pdf_required:
            raise ValidationError("Choose your extended abstract as a PDF file.")

    def check_pdf(self) -> None:
        """Check a newly chosen file, or else find the kept one. A problem with a new file is
        put on the field; it is not fatal for a post that only rearranges rows."""
        self.new_pdf = None
        upload = self.pdf.data
        if not isinstance(upload, FileStorage):
            self.find_kept()
            return
        # Checked before anything touches the database: the parse can take a moment, and a
        # transaction (SQLite: the write lock) should not be open meanwhile.
        data = upload.read()
        try:
            info = services.inspect_pdf(data, services.rules())
        except services.PdfProblem as problem:
            self.pdf.errors = [str(problem)]
            self.find_kept()
            return
        self.new_pdf = (data, info, upload.filename or "")

    def find_kept(self) -> None:
        """Find the kept PDF the hidden field refers to, unless already known."""
        if self.kept is None:
            self.kept = services.kept_upload(self.pdf_upload.data)

    def keep_pdf(self, client: str) -> bool:
        """Store a newly chosen, checked PDF so the form can be shown again without it; False
        (with the reason on the field) when the server cannot keep it right now."""
        refused = False
        if self.new_pdf is not None:
            data, info, filename = self.new_pdf
            self.new_pdf = None
            try:
                self.kept = services.keep_upload(data, info, filename, client)
            except services.UploadRefused as refusal:
                self.pdf.errors = [str(refusal)]
                refused = True
            else:
                self.stored_now = True
                previous = services.kept_upload(self.pdf_upload.data)
                if previous is not None:  # a newer file replaces the one kept before
                    services.delete_upload(previous.stored_name)
        self.pdf_upload.data = services.upload_ref(self.kept) if self.kept else ""
        return not refused

    def discard_new_pdf(self) -> None:
        """Delete the PDF this request stored (never one an earlier post kept: a concurrent
        request of the same form may be submitting that one right now)."""
        if self.stored_now and self.kept is not None:
            services.delete_upload(self.kept.stored_name)
            self.kept = None

    # --- reading and rearranging ---

    def rearrange_rows(self, action: str | None, client: str) -> bool:
        """Apply an author-row button (keeping a newly chosen PDF); False when the post came
        from no such button."""
        if not is_row_action(action):
            return False
        self.check_pdf()
        self.keep_pdf(client)
        self.apply_row_action(action or "")
        return True

    def read_post(self, client: str) -> services.SubmissionPost:
        """Validate the post and keep its PDF, also when the form has errors (it is shown
        again with the PDF named, so the author need not choose it again)."""
        valid = self.validate()
        valid = self.keep_pdf(client) and valid
        return services.SubmissionPost(self.entry() if valid else None, self.kept)

    def contact_index(self) -> int | None:
        """The row index the contact radio button names, or None if it names no row."""
        try:
            index = int(self.contact.data or "")
        except ValueError:
            return None
        return index if 0 <= index < len(self.authors.entries) else None

    def entry(self) -> services.SubmissionEntry:
        """The cleaned values (call after validate()); blank author rows are left out."""
        authors = []
        contact_index = 0
        for index, entry in enumerate(self.authors.entries):
            row = entry.form
            if _row_is_blank(row):
                continue
            if index == self.contact_index():
                contact_index = len(authors)
            authors.append(
                services.AuthorEntry(row.name.data, row.email.data, row.affiliation.data)
            )
        chosen = set(self.topics.data or [])
        return services.SubmissionEntry(
            title=self.title.data,
            abstract=self.abstract.data,
            note=self.note.data or "",
            authors=tuple(authors),
            contact_index=contact_index,
            topics=tuple(t.key for t in current_workshop().topics if t.key in chosen),
        )

    def apply_row_action(self, action: str) -> None:
        """Add, remove or move an author row; the contact choice follows its author."""
        match = ROW_ACTION.match(action)
        if not match:
            return
        rows = [
            {name: entry.form[name].data or "" for name in ("name", "email", "affiliation")}
            for entry in self.authors.entries
        ]
        contact = self.contact_index()
        order = list(range(len(rows)))
        if action == "add":
            if len(rows) < MAX_AUTHORS:
                rows.append({"name": "", "email": "", "affiliation": ""})
                order.append(len(order))
        else:
            index = int(next(group for group in match.groups()[1:] if group is not None))
            if index < len(rows):
                if action.startswith("remove") and len(rows) > 1:
                    order.pop(index)
                elif action.startswith("up") and index > 0:
                    order[index - 1], order[index] = order[index], order[index - 1]
                elif action.startswith("down") and index < len(rows) - 1:
                    order[index + 1], order[index] = order[index], order[index + 1]
        new_rows = [rows[i] for i in order]
        if contact in order:
            self.contact.data = str(order.index(contact))
        else:
            self.contact.data = "0"
        self.authors.process(None, data=new_rows)

    def word_count(self) -> int:
        return services.count_words(self.abstract.data or "")

    def load(self, submission: Submission) -> None:
        """Fill the fields from a stored submission (the edit form's first showing)."""
        self.title.data = submission.title
        self.abstract.data = submission.abstract
        self.note.data = submission.note
        self.topics.data = submission.topic_keys
        self.authors.process(
            None,
            data=[
                {"name": a.name, "email": a.email, "affiliation": a.affiliation}
                for a in submission.authors
            ],
        )
        self.contact.data = str(next(i for i, a in enumerate(submission.authors) if a.is_contact))


class NewSubmissionForm(SubmissionFieldsForm):
    consent = BooleanField(
        "I agree that the data in this form is stored and used to run the workshop "
        "(reviewing, the program, and writing to the authors).",
        validators=[DataRequired("Tick this box so that we may store your submission.")],
    )
    # Hidden from people; bots fill it in (see templates/forms.html).
    website = StringField("Leave this empty")
    # One per form shown: the same nonce posted twice (double click, replay) finds the
    # submission the first post created instead of creating another.
    form_nonce = HiddenField()

    def read_post(self, client: str) -> services.SubmissionPost:
        if self.website.data:
            # The honeypot: nothing is checked or stored. The field is emptied for the form
            # shown again, so a person whose browser filled it in can simply send again.
            self.website.data = ""
            return services.SubmissionPost(None, None, nonce=self.form_nonce.data, spam=True)
        return replace(super().read_post(client), nonce=self.form_nonce.data)

    def validate_form_nonce(self, field: HiddenField) -> None:
        if not looks_like_nonce(field.data):
            field.data = new_nonce()
            raise ValidationError(
                "This form was incomplete (it may have been saved from an old page). "
                "Please check it and send it again."
            )


class EditSubmissionForm(SubmissionFieldsForm):
    pdf_required = False
    # The submission's version when the form was shown: an edit from an outdated page is
    # shown again for review instead of silently undoing changes made since.
    version = HiddenField()

    def read_post(self, client: str) -> services.SubmissionPost:
        return replace(super().read_post(client), version=self.version_number())

    def version_number(self) -> int | None:
        try:
            return int(self.version.data or "")
        except ValueError:
            return None


class WithdrawForm(FlaskForm):
    """Only the CSRF token: the confirming step is the page itself."""


class LostLinkForm(FlaskForm):
    Meta = VisibleTextMeta
    email = EmailField(
        "Contact author's email address",
        filters=[strip_address],
        validators=[
            DataRequired("Enter the email address of the contact author."),
            EmailAddress(),
        ],
    )
