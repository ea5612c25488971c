"""Notices by e-mail to the contract's ご契約先Eメールアドレス (ハ): a certificate issued, renewed or revoked, a
reissue authorised, an ID locked, 事故登録 made or released — so that a customer learns at once of what they did not do.
A notice about a user who has an address of their own (I-4.7, FAQ 16) goes to that address too.

Sent over SMTP to IBCERT_SMTP_HOST:IBCERT_SMTP_PORT (unset: nothing is sent). A notice never holds a PIN or a one-time
password, and says that the bank never asks for them by e-mail (FAQ: 重要). A mail server that is down does not stop
the action it reports: the failure is logged.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app

from . import clock
from .models import Contract, Principal

ISSUED, RENEWED, REVOKED, REISSUE, LOCKED, ACCIDENT, RELEASED = (
    "issued", "renewed", "revoked", "reissue", "locked", "accident", "released")
SUBJECTS = {
    ISSUED: "電子証明書を発行しました",
    RENEWED: "電子証明書を更新しました",
    REVOKED: "電子証明書を失効しました",
    REISSUE: "電子証明書の再発行を受け付けました",
    LOCKED: "ご利用を停止しました（暗証番号等の誤り）",
    ACCIDENT: "法人IBの事故登録を行いました",
    RELEASED: "法人IBの事故登録を解除しました",
}
_FOOTER = ("お心当たりのない場合は、至急当金庫までご連絡ください。\n"
           "当金庫の職員から店舗外や電話、Eメール等で各種暗証番号をお尋ねすることはございません。\n"
           "このメールは送信専用です。")


def send(contract: Contract, event: str, detail: str, about: Principal | None = None) -> bool:
    """Tell the contract's address about *event* (one of SUBJECTS), *detail* naming the ID and what happened, and the
    address of *about*, the ID it concerns, if it has one. True if the mail server took the notice."""
    host = current_app.config["SMTP_HOST"]
    to = [address for address in (contract.email, about and about.email) if address]
    if not host or not to:
        return False
    bank, now = current_app.config["BANK_NAME"], clock.now().astimezone(clock.JST)
    message = EmailMessage()
    message["Subject"] = f"【{bank}】{SUBJECTS[event]}"
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = ", ".join(to)
    message["Date"] = formatdate(now.timestamp(), localtime=False)
    message["Message-ID"] = make_msgid(domain="ibcert.invalid")
    message["X-Ibcert-Event"] = event
    message.set_content(f"{bank} めぐるビジネス・インターネットバンキングサービスからのお知らせです。\n\n"
                        f"{detail}\n\n利用者番号：{contract.number}\n日時：{now:%Y年%m月%d日 %H時%M分}\n\n{_FOOTER}\n")
    try:
        with smtplib.SMTP(host, current_app.config["SMTP_PORT"], timeout=5) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.warning("notice %s to contract %s not sent: %s", event, contract.number, error)
        return False
    return True
