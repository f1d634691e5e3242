"""E-mail: notifications and messages written in the transaction of their event (outbox), sent
after commit over SMTP with retries (sender), composed as plain text and HTML with absolute links
(compose), optional ones with an unsubscribe link; saved searches and their digests."""
