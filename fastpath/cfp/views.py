"""Views for cfp."""

from flask import Blueprint

bp = Blueprint("cfp", __name__)
