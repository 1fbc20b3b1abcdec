# Copy to instance/config.py and adjust. Every setting can also come from the environment
# as FASTPATH_<NAME> (for example FASTPATH_SECRET_KEY), which wins over this file.

# SECRET_KEY = "a long random value: python3 -c 'import secrets; print(secrets.token_hex(32))'"
# PUBLIC_BASE_URL = "https://fastpath.example.org"
# SQLALCHEMY_DATABASE_URI = "sqlite:////srv/fastpath/instance/fastpath.sqlite3"
# MAIL_SERVER = "smtp.example.org"
# MAIL_PORT = 587
# MAIL_USE_TLS = True
# MAIL_USERNAME = "fastpath"
# MAIL_PASSWORD = "..."
# MAIL_DEFAULT_SENDER = "FastPath 2020 <fastpath@example.org>"
# MAIL_REPLY_TO = "organizers@example.org"
