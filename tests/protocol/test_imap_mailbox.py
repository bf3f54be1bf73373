"""IMAP mailbox commands against real storage: SELECT/EXAMINE (with
CONDSTORE and QRESYNC), CLOSE, UNSELECT, CHECK, CREATE (USE), DELETE,
RENAME (INBOX too), SUBSCRIBE, UNSUBSCRIBE, LIST (LIST-EXTENDED,
LIST-STATUS, SPECIAL-USE, CHILDREN), LSUB, NAMESPACE, STATUS, and
modified UTF-7 / UTF-8 mailbox names."""

import re

from imap_helpers import ImapConn, server_args
from postern_test import ServerTestCase, main

USERS = {"alice": "secret", "bob": "secret", "carol": "secret",
         "dave": "secret", "erin": "secret"}
MSG = "From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n"


class MailboxTestCase(ServerTestCase):
    server_args = server_args(USERS)

    def login(self, user="alice"):
        c = ImapConn(self.server)
        self.addCleanup(c.close)
        c.login(user, "secret")
        return c

    def append(self, c, box, msg=MSG, flags=""):
        c.send_line("%s APPEND %s %s{%d+}" % ("ap", box, flags, len(msg)))
        c.c.send(msg.encode() + b"\r\n")
        return c.read_tagged("ap")

    def list_names(self, untagged):
        return [re.sub(r'^\* (LIST|LSUB) \([^)]*\) "/" ', "", line)
                for line in untagged]


class Select(MailboxTestCase):
    def test_select_empty_inbox(self):
        c = self.login()
        untagged, tagged = c.command("SELECT INBOX")
        self.assertEqual(tagged, "OK [READ-WRITE] SELECT completed.")
        self.assertEqual(untagged[0],
                         "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen "
                         "\\Draft)")
        self.assertEqual(untagged[1],
                         "* OK [PERMANENTFLAGS (\\Answered \\Flagged "
                         "\\Deleted \\Seen \\Draft \\*)] Flags permitted.")
        self.assertEqual(untagged[2:4], ["* 0 EXISTS", "* 0 RECENT"])
        self.assertRegex(untagged[4], r"^\* OK \[UIDVALIDITY \d+\] ")
        self.assertEqual(untagged[5],
                         "* OK [UIDNEXT 1] Predicted next UID.")
        self.assertRegex(untagged[6],
                         r"^\* OK \[MAILBOXID \([0-9a-f]{32}\)\] ")
        self.assertEqual(len(untagged), 7)

    def test_select_messages_and_examine(self):
        c = self.login("bob")
        for i in range(3):
            self.append(c, "INBOX", flags="(\\Seen) " if i == 0 else "")
        untagged, tagged = c.command("EXAMINE INBOX")
        self.assertEqual(tagged, "OK [READ-ONLY] EXAMINE completed.")
        self.assertIn("* 3 EXISTS", untagged)
        self.assertIn("* OK [UNSEEN 2] First unseen.", untagged)
        self.assertIn("* OK [PERMANENTFLAGS ()] Flags permitted.", untagged)
        self.assertIn("* OK [UIDNEXT 4] Predicted next UID.", untagged)
        # a second SELECT closes the first mailbox with [CLOSED]
        untagged, tagged = c.command("SELECT INBOX")
        self.assertEqual(untagged[0], "* OK [CLOSED] Previous mailbox "
                         "closed.")
        self.assertEqual(tagged, "OK [READ-WRITE] SELECT completed.")
        # a failed SELECT leaves no mailbox selected
        untagged, tagged = c.command("SELECT Nope")
        self.assertEqual(untagged, ["* OK [CLOSED] Previous mailbox "
                                    "closed."])
        self.assertEqual(tagged, "NO [NONEXISTENT] Mailbox doesn't exist")
        self.assertEqual(c.command("CLOSE")[1],
                         "BAD Command not allowed in this state.")

    def test_rev2_and_condstore(self):
        c = self.login("carol")
        c.ok("ENABLE IMAP4rev2")
        untagged, tagged = c.command("SELECT INBOX (CONDSTORE)")
        self.assertNotIn("* 0 RECENT", untagged)
        self.assertIn('* LIST () "/" INBOX', untagged)
        self.assertTrue(any(re.match(r"^\* OK \[HIGHESTMODSEQ \d+\] ", l)
                            for l in untagged))
        self.assertEqual(c.command("SELECT INBOX (BOGUS)")[1],
                         "BAD Invalid SELECT arguments.")

    def test_qresync(self):
        c = self.login("dave")
        for i in range(3):
            self.append(c, "INBOX")
        untagged = c.ok("STATUS INBOX (UIDVALIDITY HIGHESTMODSEQ)")
        m = re.match(r"^\* STATUS INBOX \(UIDVALIDITY (\d+) "
                     r"HIGHESTMODSEQ (\d+)\)$", untagged[0])
        uidvalidity, modseq = m.group(1), m.group(2)
        # QRESYNC must be enabled first
        self.assertEqual(c.command("SELECT INBOX (QRESYNC (%s %s))"
                                   % (uidvalidity, modseq))[1],
                         "BAD Invalid SELECT arguments.")
        c.ok("ENABLE QRESYNC")
        untagged = c.ok("SELECT INBOX (QRESYNC (%s %s 1:3))"
                        % (uidvalidity, modseq))
        self.assertFalse(any("VANISHED" in l or "FETCH" in l
                             for l in untagged))
        # from modseq 1 everything is new: FETCH with MODSEQ
        untagged = c.ok("SELECT INBOX (QRESYNC (%s 1))" % uidvalidity)
        self.assertEqual(untagged[0], "* OK [CLOSED] Previous mailbox "
                         "closed.")
        fetches = [l for l in untagged if " FETCH " in l]
        self.assertEqual(len(fetches), 3)
        self.assertRegex(fetches[0], r"^\* 1 FETCH \(UID 1 FLAGS \([^)]*\) "
                         r"MODSEQ \(\d+\)\)$")
        # another UIDVALIDITY: no resync data
        untagged = c.ok("SELECT INBOX (QRESYNC (1 1))")
        self.assertFalse(any(" FETCH " in l for l in untagged))
        # an expunge since the client's modseq: VANISHED (EARLIER)
        c.ok("UID STORE 2 +FLAGS.SILENT (\\Deleted)")
        c.ok("UID EXPUNGE 2")
        c.ok("UNSELECT")
        untagged = c.ok("SELECT INBOX (QRESYNC (%s %s 1:3))"
                        % (uidvalidity, modseq))
        self.assertIn("* VANISHED (EARLIER) 2", untagged)
        self.assertIn("* 2 EXISTS", untagged)

    def test_close_unselect_check(self):
        c = self.login("erin")
        c.ok("SELECT INBOX")
        self.assertEqual(c.command("CHECK"), ([], "OK Check completed."))
        self.assertEqual(c.command("UNSELECT"), ([], "OK UNSELECT "
                                                 "completed."))
        self.assertEqual(c.command("UNSELECT")[1],
                         "BAD Command not allowed in this state.")
        self.append(c, "INBOX", flags="(\\Deleted) ")
        self.append(c, "INBOX")
        c.ok("SELECT INBOX")
        # CLOSE expunges \Deleted silently
        self.assertEqual(c.command("CLOSE"), ([], "OK CLOSE completed."))
        self.assertIn("* 1 EXISTS", c.ok("EXAMINE INBOX"))
        c.ok("CLOSE")


class Manage(MailboxTestCase):
    def test_create_delete_rename(self):
        c = self.login()
        self.assertEqual(c.command("CREATE Work"), ([], "OK Create "
                                                    "completed."))
        self.assertEqual(c.command("CREATE Work")[1],
                         "NO [ALREADYEXISTS] Mailbox already exists")
        c.ok("CREATE Work/2024/")
        names = self.list_names(c.ok('LIST "" Work*'))
        self.assertEqual(names, ["Work", "Work/2024"])
        self.assertEqual(c.ok('LIST "" Work'),
                         ['* LIST (\\HasChildren) "/" Work'])
        c.ok("RENAME Work Jobs")
        self.assertEqual(self.list_names(c.ok('LIST "" Jobs*')),
                         ["Jobs", "Jobs/2024"])
        self.assertEqual(c.command("RENAME Nope Other")[1][:15],
                         "NO [NONEXISTENT")
        c.ok("DELETE Jobs/2024")
        c.ok("DELETE Jobs")
        self.assertEqual(c.ok('LIST "" Jobs*'), [])
        self.assertEqual(c.command("DELETE INBOX")[1][:2], "NO")
        self.assertEqual(c.command("CREATE")[1],
                         "BAD Invalid CREATE arguments.")
        self.assertEqual(c.command("CREATE ../x")[1][:2], "NO")

    def test_rename_inbox(self):
        c = self.login("bob")
        self.append(c, "INBOX")
        c.ok("RENAME INBOX Old")
        self.assertIn("* STATUS Old (MESSAGES 1)",
                      c.ok("STATUS Old (MESSAGES)"))
        self.assertIn("* STATUS INBOX (MESSAGES 0)",
                      c.ok("STATUS INBOX (MESSAGES)"))

    def test_create_special_use(self):
        c = self.login("carol")
        c.ok("CREATE Outbox (USE (\\Sent))")
        self.assertIn('* LIST (\\HasNoChildren \\Sent) "/" Outbox',
                      c.ok('LIST "" Outbox'))
        self.assertEqual(c.command("CREATE X (USE (\\Bogus))")[1],
                         "NO [USEATTR] Unsupported special-use attribute.")
        names = self.list_names(c.ok('LIST (SPECIAL-USE) "" *'))
        self.assertIn("Outbox", names)
        self.assertNotIn("INBOX", names)

    def test_subscriptions(self):
        c = self.login("dave")
        c.ok("CREATE Lists")
        self.assertEqual(c.command("SUBSCRIBE Lists"),
                         ([], "OK Subscribe completed."))
        c.ok("SUBSCRIBE Ghost")
        lsub = c.ok('LSUB "" *')
        self.assertIn('* LSUB () "/" Lists', lsub)
        listed = c.ok('LIST (SUBSCRIBED) "" *')
        self.assertIn('* LIST (\\HasNoChildren \\Subscribed) "/" Lists',
                      listed)
        self.assertTrue(any(l.endswith('"/" Ghost') and
                            "\\NonExistent" in l for l in listed))
        ret = c.ok('LIST "" L* RETURN (SUBSCRIBED)')
        self.assertEqual(ret, ['* LIST (\\HasNoChildren \\Subscribed) "/" '
                               'Lists'])
        self.assertIn('* LSUB (\\Noselect) "/" Ghost', lsub)
        c.ok("UNSUBSCRIBE Lists")
        self.assertNotIn('* LSUB () "/" Lists', c.ok('LSUB "" *'))

    def test_subscribed_children(self):
        c = self.login("erin")
        c.ok("CREATE Top/Sub")
        c.ok("SUBSCRIBE Top/Sub")
        # RFC 3501 §6.3.9: % shows the unsubscribed parent as \Noselect
        self.assertIn('* LSUB (\\Noselect) "/" Top', c.ok('LSUB "" %'))
        self.assertEqual(c.ok('LSUB "" Top*'),
                         ['* LSUB () "/" Top/Sub'])
        # RFC 5258 §3.5: RECURSIVEMATCH marks it with CHILDINFO
        self.assertEqual(c.ok('LIST (SUBSCRIBED RECURSIVEMATCH) "" Top'),
                         ['* LIST (\\Noselect \\HasChildren) "/" Top '
                          '("CHILDINFO" '
                          '("SUBSCRIBED"))'])
        self.assertEqual(c.ok('LIST (SUBSCRIBED) "" Top'), [])


class Listing(MailboxTestCase):
    def test_list_basics(self):
        c = self.login("erin")
        self.assertEqual(c.command('LIST "" ""'),
                         (['* LIST (\\Noselect) "/" ""'],
                          "OK LIST completed."))
        names = self.list_names(c.ok('LIST "" *'))
        self.assertEqual(names[0], "INBOX")
        # the autocreated special-use mailboxes
        for name in ("Drafts", "Sent", "Trash", "Junk", "Archive"):
            self.assertIn(name, names)
        self.assertEqual(self.list_names(c.ok('LIST "" inbox')), ["INBOX"])
        c.ok("CREATE a/b/c")
        self.assertEqual(self.list_names(c.ok('LIST "" a/%')), ["a/b"])
        self.assertEqual(self.list_names(c.ok('LIST a/ %')), ["a/b"])
        self.assertEqual(self.list_names(c.ok('LIST "" (a/b a/b/c)')),
                         ["a/b", "a/b/c"])
        self.assertEqual(c.command('LIST "" a RETURN (BOGUS)')[1],
                         "BAD Invalid LIST arguments.")
        self.assertEqual(c.command('LIST (RECURSIVEMATCH) "" *')[1],
                         "BAD Invalid LIST arguments.")

    def test_list_status(self):
        c = self.login("alice")
        c.ok("CREATE Stat")
        self.append(c, "Stat")
        out = c.ok('LIST "" Stat RETURN (STATUS (MESSAGES UNSEEN SIZE))')
        self.assertEqual(out[0], '* LIST (\\HasNoChildren) "/" Stat')
        self.assertRegex(out[1], r"^\* STATUS Stat \(MESSAGES 1 UNSEEN 1 "
                         r"SIZE \d+\)$")

    def test_status(self):
        c = self.login("bob")
        c.ok("CREATE S2")
        self.append(c, "S2", flags="(\\Seen \\Deleted) ")
        self.append(c, "S2")
        untagged = c.ok("STATUS S2 (MESSAGES RECENT UIDNEXT UIDVALIDITY "
                        "UNSEEN DELETED SIZE HIGHESTMODSEQ MAILBOXID)")
        self.assertRegex(untagged[0],
                         r"^\* STATUS S2 \(MESSAGES 2 RECENT \d UIDNEXT 3 "
                         r"UIDVALIDITY \d+ UNSEEN 1 DELETED 1 SIZE \d+ "
                         r"HIGHESTMODSEQ \d+ MAILBOXID \([0-9a-f]{32}\)\)$")
        self.assertEqual(c.command("STATUS S2 (BOGUS)")[1],
                         "BAD Invalid STATUS arguments.")
        self.assertEqual(c.command("STATUS S2 ()")[1],
                         "BAD Invalid STATUS arguments.")
        self.assertEqual(c.command("STATUS Nope (MESSAGES)")[1],
                         "NO [NONEXISTENT] Mailbox doesn't exist")

    def test_namespace(self):
        c = self.login("carol")
        self.assertEqual(c.command("NAMESPACE"),
                         (['* NAMESPACE (("" "/")) NIL NIL'],
                          "OK Namespace completed."))


class States(MailboxTestCase):
    """Every command of this module in every state (RFC 9051 §6)."""

    AUTH_ONLY = ["SELECT INBOX", "EXAMINE INBOX", "CREATE X1", "DELETE X1",
                 "RENAME X1 X2", "SUBSCRIBE X1", "UNSUBSCRIBE X1",
                 'LIST "" X1', 'LSUB "" X1', "NAMESPACE",
                 "STATUS INBOX (MESSAGES)", "IDLE"]
    SELECTED_ONLY = ["CLOSE", "UNSELECT", "CHECK"]

    def test_not_authenticated(self):
        c = ImapConn(self.server)
        self.addCleanup(c.close)
        for command in self.AUTH_ONLY + self.SELECTED_ONLY + [
                "ENABLE IMAP4rev2", "APPEND INBOX {1}"]:
            self.assertEqual(c.command(command)[1],
                             "BAD Command not allowed in this state.",
                             command)
        # BADs in a row end the session; a good command resets the count
        c.ok("NOOP")

    def test_authenticated(self):
        c = self.login("alice")
        for command in self.SELECTED_ONLY:
            self.assertEqual(c.command(command)[1],
                             "BAD Command not allowed in this state.",
                             command)
        for command in ("LOGIN a b", "AUTHENTICATE PLAIN", "STARTTLS"):
            self.assertEqual(c.command(command)[1],
                             "BAD Command not allowed in this state.",
                             command)
        for command in ("ID NIL", "CAPABILITY", "NOOP", "NAMESPACE"):
            self.assertTrue(c.command(command)[1].startswith("OK "),
                            command)

    def test_selected(self):
        c = self.login("bob")
        c.ok("SELECT INBOX")
        # commands of the authenticated state stay valid when selected
        for command in ("CREATE S1", 'LIST "" S1', 'LSUB "" S1',
                        "STATUS S1 (MESSAGES)", "SUBSCRIBE S1",
                        "UNSUBSCRIBE S1", "RENAME S1 S2", "DELETE S2",
                        "NAMESPACE", "CHECK", "NOOP", "ID NIL"):
            self.assertTrue(c.command(command)[1].startswith("OK "),
                            command)
        self.assertEqual(c.command("ENABLE CONDSTORE")[1],
                         "BAD Command not allowed in this state.")
        c.c.send(b"ap APPEND INBOX {5+}\r\nhello\r\n")
        untagged, tagged = c.read_tagged("ap")
        self.assertIn("* 1 EXISTS", untagged)
        self.assertRegex(tagged, r"^ap OK \[APPENDUID ")


class Utf7Names(MailboxTestCase):
    def test_modified_utf7(self):
        c = self.login("dave")
        c.ok('CREATE "M&AOQ-rchen"')
        c.ok('CREATE "&ZeVnLIqe-"')
        names = self.list_names(c.ok('LIST "" *'))
        self.assertIn("M&AOQ-rchen", names)
        self.assertIn("&ZeVnLIqe-", names)
        # invalid mUTF-7 is refused
        self.assertEqual(c.command('CREATE "&Jjo"')[1],
                         "NO Mailbox name is not valid mUTF-7.")
        c.ok('SELECT "M&AOQ-rchen"')
        # after ENABLE UTF8=ACCEPT the same mailbox shows in UTF-8
        c2 = self.login("dave")
        c2.ok("ENABLE UTF8=ACCEPT")
        names = self.list_names(c2.ok('LIST "" *'))
        self.assertIn('"M\xc3\xa4rchen"'.encode("latin-1").decode(
            "latin-1"), names)
        c2.c.send_line('u1 STATUS "M\xe4rchen" (MESSAGES)'.encode("utf-8"))
        self.assertEqual(c2.read_tagged("u1")[1], "u1 OK Status completed.")


if __name__ == "__main__":
    main()
