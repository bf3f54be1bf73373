#!/usr/bin/env python3
"""Compares src/mail's answers for the MIME corpus with Dovecot 2.3.19's.

    test_mime_corpus.py MIME_DUMP DATA_DIR [FILE...]

DATA_DIR/mime-corpus holds the messages and dovecot-2.3.19.json (see its
README.md); DATA_DIR/mail holds our own messages and expected.json.  For every message, mime-dump prints RFC822.SIZE, ENVELOPE,
BODYSTRUCTURE, BODY, BODY[HEADER], BODY[TEXT], BODY[HEADER.FIELDS (FROM
SUBJECT)], BODY[1]<0.10> and, per section, MIME, body, BINARY and
BINARY.SIZE (and HEADER/TEXT of message/rfc822 parts).  They must equal
Dovecot's, except for the departures listed in DEPARTURES below, where
Dovecot departs from the RFCs (or is inconsistent) and we follow the RFC:
each entry gives our expected answer and the reason.

Compared as IMAP values, so quoted string versus literal and atom case
may differ, as the corpus README allows.
"""

import hashlib
import json
import os
import subprocess
import sys

# --------------------------------------------------------------------------
# IMAP value parsing: NIL -> None, string -> bytes, atom/number -> Atom,
# parenthesized list -> list.


class Atom(bytes):
    """An IMAP atom or number; compared without case."""

    def __eq__(self, other):
        return isinstance(other, Atom) and self.upper() == other.upper()

    def __hash__(self):
        return hash(self.upper())


def parse_imap(data, pos=0):
    """Parses one IMAP value at pos; returns (value, new_pos)."""
    while data[pos:pos + 1] == b' ':
        pos += 1
    c = data[pos:pos + 1]
    if c == b'(':
        items = []
        pos += 1
        while True:
            while data[pos:pos + 1] == b' ':
                pos += 1
            if data[pos:pos + 1] == b')':
                return items, pos + 1
            item, pos = parse_imap(data, pos)
            items.append(item)
    if c == b'"':
        out = bytearray()
        pos += 1
        while data[pos:pos + 1] != b'"':
            if data[pos:pos + 1] == b'\\':
                pos += 1
            out += data[pos:pos + 1]
            pos += 1
        return bytes(out), pos + 1
    if c in (b'{', b'~'):
        if c == b'~':
            pos += 1
        end = data.index(b'}', pos)
        length = int(data[pos + 1:end].rstrip(b'+'))
        start = end + 3  # "}\r\n"
        return data[start:start + length], start + length
    end = pos
    while end < len(data) and data[end:end + 1] not in (b' ', b')', b'('):
        if data[end:end + 1] == b'[':
            end = data.index(b']', end)
        end += 1
    atom = data[pos:end]
    if atom.upper() == b'NIL':
        return None, end
    return Atom(atom), end


def parse_fetch(untagged):
    """The data items of "* n FETCH (...)" as a dict name -> value."""
    data = untagged.encode('latin-1')
    start = data.index(b'FETCH ') + len(b'FETCH ')
    items, _ = parse_imap(data, start)
    return {items[i].decode().upper(): items[i + 1]
            for i in range(0, len(items), 2)}


def literal_of(untagged):
    """The literal (or quoted) value of a single-item FETCH response."""
    items = parse_fetch(untagged)
    values = [v for k, v in items.items() if k != 'UID']
    return values[0]


def sha(data):
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------
# Our answers, from mime-dump.


def run_dump(dump, path):
    out = subprocess.run([dump, path], stdout=subprocess.PIPE, check=True)
    result = {'parts': {}}
    part = None
    for line in out.stdout.decode('latin-1').splitlines():
        key, _, value = line.partition('\t')
        if key == 'part':
            section, kind, mtype = value.split(' ', 2)
            part = {'kind': kind, 'type': mtype.lower()}
            result['parts'][section] = part
            continue
        target = part if part is not None else result
        target[key] = value
    return result


def hex_bytes(value):
    return bytes.fromhex(value)


# --------------------------------------------------------------------------
# Departures: where we answer differently from Dovecot, on purpose.
#
# Two rules apply wherever their condition holds; each use is counted:
#
# RULE_COMPOSITE_BINARY: BINARY[N] of a multipart or message/rfc822 section
#   is its body as it is, and BINARY.SIZE[N] its size.  RFC 3516 §4.2 and
#   RFC 9051 §6.4.5 decode "the section's Content-Transfer-Encoding", and a
#   composite section may only have an identity encoding (RFC 2045 §6.4,
#   RFC 2046 §5.2.1).  Dovecot decodes the nested parts and rewrites their
#   headers instead, and for 022 part 1 its BINARY.SIZE (938) even
#   disagrees with its own BINARY (1187 bytes).
#
# RULE_DELIMITER_CRLF: a part that ends with a nested close delimiter
#   ("--inner--") or with a header-only encapsulated message, directly
#   followed by the enclosing delimiter, does not include the CRLF before
#   that delimiter.  RFC 2046 §5.1.1: delimiter := CRLF dash-boundary, the
#   CRLF "is conceptually attached to the boundary"; one CRLF can't both
#   end the inner part and begin the outer delimiter.  Dovecot counts it in
#   the inner part (2 bytes more, 1 line more: 016 part 1, 020 part 3,
#   058 and 059 at every level), and in 020 its BODY[3] (176) is not even
#   BODY[3.HEADER] (174) plus BODY[3.TEXT] (0).  Checked byte by byte:
#   Dovecot's answer must be ours plus the CRLF that starts the delimiter.
#
# Other departures are listed per message below: (file number, item) ->
# (our expected answer, reason).  Items: 'ENVELOPE', 'BODYSTRUCTURE',
# 'BODY' (IMAP text), 'header_fields', 'partial' (bytes), 'sections'
# (list), and (section, 'binary'|'binary_size'|'mime'|'body'|'type') with
# decoded bytes, a size, or 'NO'.

RULE_COMPOSITE_BINARY = 'composite-binary'
RULE_DELIMITER_CRLF = 'delimiter-crlf'

DEPARTURES = {}


def departure(num, item, expected, reason):
    DEPARTURES[(num, item)] = (expected, reason)


REASON_LENIENT_B64 = (
    'Dovecot drops the connection or answers NO [PARSE] for broken base64 '
    '(README departure 1); no RFC asks for that.  RFC 2045 §6.8: characters '
    'outside the alphabet are ignored, and "=" may be taken as the end of '
    'the data.  We decode leniently (see message-decode.h).')
REASON_BINARY_SIZE = (
    'RFC 3516 §4.2 / RFC 9051 §6.4.5: BINARY.SIZE[N] is the decoded size '
    'of section N.  Dovecot fails it when any other part of the message '
    'cannot be decoded (README departure 2).')


def b64(text):
    """Decodes base64 as RFC 2045 says: non-alphabet characters ignored."""
    import base64
    import re
    clean = re.sub(rb'[^A-Za-z0-9+/]', b'', text)
    clean = clean[:len(clean) - len(clean) % 4]
    return base64.b64decode(clean)


# 007: every part but the first has broken base64.
departure(7, ('1', 'binary_size'), 46, REASON_BINARY_SIZE)
departure(7, ('2', 'binary'), b'Padding went missing\r\n', REASON_LENIENT_B64)
departure(7, ('2', 'binary_size'), 22, REASON_LENIENT_B64)
# "SGVsbG8=IHdvcmxk" + "Zm9vYmFy====": padding inside a line starts a new
# quantum (two files glued together); "====" at the end of a line ends it.
departure(7, ('3', 'binary'), b'Hello worldfoobar', REASON_LENIENT_B64)
departure(7, ('3', 'binary_size'), 17, REASON_LENIENT_B64)
# " *! " inside the data is skipped; the "." line after the padding is not
# base64 any more.
departure(7, ('4', 'binary'), b'Quarterly numbers attached, see below.\r\n',
          REASON_LENIENT_B64)
departure(7, ('4', 'binary_size'), 40, REASON_LENIENT_B64)
# A lone trailing "Q" (6 bits) makes no byte and is dropped.
departure(7, ('5', 'binary'), lambda ctx: b64(ctx.section_body('5')[:-1]),
          REASON_LENIENT_B64)
departure(7, ('5', 'binary_size'), 117, REASON_LENIENT_B64)
# The list footer after "...NCg==" is not decoded as base64 garbage.
departure(7, ('6', 'binary'), b'Quarterly numbers attached, see below.\r\n',
          REASON_LENIENT_B64)
departure(7, ('6', 'binary_size'), 40, REASON_LENIENT_B64)

# 008: part 3 is x-uuencode (NO [UNKNOWN-CTE] is right for it), part 6 is
# broken quoted-printable.
for _section, _size in (('1', 26), ('2', 46), ('4', 67), ('5', 52),
                        ('7', 2457), ('8', 76)):
    departure(8, (_section, 'binary_size'), _size, REASON_BINARY_SIZE)
_QP_008 = (b'Broken escapes: =ZZ, 2+2=4 done, lower \xe9t\xe9, a soft break '
           b'with paddingcontinues here, and a lone = at the end')
departure(8, ('6', 'binary'), _QP_008,
          'Dovecot answers NO [PARSE] for malformed quoted-printable.  We '
          'decode leniently: "=" not followed by two hex digits stays as it '
          'is, lower-case hex is accepted, "=" with trailing white space is '
          'a soft break (RFC 2045 §6.7 rules 1, 3, 5), and so is "=" at the '
          'very end.')
departure(8, ('6', 'binary_size'), len(_QP_008), REASON_BINARY_SIZE)

# 034: RFC 2231 parameters decoded.
REASON_2231 = (
    'RFC 9051 §7.5.2: servers SHOULD decode RFC 2231 continuations and '
    'charsets and return UTF-8; Dovecot returns the raw "name*" values '
    '(README departure 5).  A decoded filename* replaces the plain '
    'filename fallback; x-broken* has invalid escapes and stays raw.')
_034_PARTS = (
    b'("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 35 1%(e1)s)'
    b'("application" "pdf" ("name" "Gesch\xc3\xa4ftsbericht \xc3\xbcber das '
    b'Jahr 2023 (final).pdf") NIL NIL "base64" 824%(e2)s)'
    b'("text" "plain" ("charset" "us-ascii" "title" "first half, second '
    b'half") NIL NIL "7bit" 21 1%(e3)s)'
    b'("application" "octet-stream" ("name" "r\xc3\xa9sum\xc3\xa9.txt") NIL '
    b'NIL "7bit" 8%(e4)s)'
    b'("text" "plain" ("charset" "us-ascii" "name" "report \\"final\\"; '
    b'v2.txt") NIL NIL "7bit" 11 0%(e5)s)'
    b' "mixed"%(em)s')
departure(34, 'BODYSTRUCTURE', b'(' + _034_PARTS % {
    b'e1': b' NIL NIL NIL NIL',
    b'e2': b' NIL ("attachment" ("filename" "Gesch\xc3\xa4ftsbericht '
           b'\xc3\xbcber das Jahr 2023 (final).pdf")) NIL NIL',
    b'e3': b' NIL ("attachment" ("filename" "\xe2\x82\xac-rates.txt")) NIL NIL',
    b'e4': b' NIL ("attachment" ("filename" "\xe5\xa0\xb1\xe5\x91\x8a'
           b'\xe6\x9b\xb8.txt")) ("ja") NIL',
    b'e5': b' NIL ("attachment" ("filename" "report \\"final\\"; v2.txt" '
           b'"x-broken*" "\'\'%ZZbad%2")) NIL NIL',
    b'em': b' ("boundary" "rfc2231-b") NIL NIL NIL',
} + b')', REASON_2231)
departure(34, 'BODY', b'(' + _034_PARTS % {
    b'e1': b'', b'e2': b'', b'e3': b'', b'e4': b'', b'e5': b'', b'em': b'',
} + b')', REASON_2231)

# 039: malformed address lists.
departure(39, 'ENVELOPE',
          b'("Mon, 10 Apr 2023 10:00:00 +0000" "Malformed addresses" '
          b'((NIL NIL "MISSING_MAILBOX" "SYNTAX_ERROR")) '
          b'((NIL NIL "MISSING_MAILBOX" "SYNTAX_ERROR")) '
          b'((NIL NIL "MISSING_MAILBOX" "SYNTAX_ERROR")'
          b'(NIL NIL "MISSING_MAILBOX" "nolocal.example")'
          b'(NIL NIL "local" "MISSING_DOMAIN")) '
          b'((NIL NIL "MISSING_MAILBOX" "SYNTAX_ERROR")'
          b'(NIL NIL "MISSING_MAILBOX" "SYNTAX_ERROR")'
          b'(NIL NIL "trailing" "example.com")) '
          b'((NIL NIL "empty" "example.com")) '
          b'((NIL NIL "Group Without End" NIL)(NIL NIL "one" "example.com")'
          b'(NIL NIL "two" "example.com")(NIL NIL NIL NIL)) '
          b'NIL "<malformed-addr@example.com>")',
          'RFC 5322 §4.4 obs-addr-list allows null members ("a, , b"), '
          'which are no addresses: Dovecot turns each into MISSING_MAILBOX '
          '(Cc).  After an element that does not parse, Dovecot drops the '
          'rest of the list (To loses trailing@example.com, Reply-To loses '
          '@nolocal.example and local@); we mark that one element '
          'SYNTAX_ERROR and go on at the next comma, so no recipient the '
          'user can see is hidden.  The unterminated quoted string in From '
          'is a syntax error, not a missing domain.')

# 040: duplicate header fields.
REASON_FIRST = (
    'RFC 5322 §4.5 leaves repeated Subject/Date/Message-ID unspecified; '
    'Dovecot takes the last for ENVELOPE but the first Content-Type for '
    'BODYSTRUCTURE and the first Subject for SORT, and decodes BINARY by '
    'the last Content-Transfer-Encoding (README departure 3).  We take the '
    'first everywhere (address fields are joined, RFC 5322 §4.5.3), so '
    'BINARY[1] is the 7bit body that BODYSTRUCTURE describes.')
departure(40, 'ENVELOPE',
          b'("Mon, 10 Apr 2023 11:00:00 +0000" "First subject" '
          b'(("First Sender" NIL "first" "example.com")'
          b'("Second Sender" NIL "second" "example.com")) '
          b'(("First Sender" NIL "first" "example.com")'
          b'("Second Sender" NIL "second" "example.com")) '
          b'(("First Sender" NIL "first" "example.com")'
          b'("Second Sender" NIL "second" "example.com")) '
          b'((NIL NIL "bob" "example.net")) NIL NIL NIL '
          b'"<dup-1@example.com>")', REASON_FIRST)
departure(40, ('1', 'binary'),
          b'Which header wins?  This body is plain 7bit text, not base64.'
          b'\r\n',
          REASON_FIRST)
departure(40, ('1', 'binary_size'), 63, REASON_FIRST)

# 044: multipart/mixed without a boundary.
REASON_NO_BOUNDARY = (
    'RFC 2046 §5.1.1 makes the boundary parameter mandatory, so the '
    'Content-Type is invalid and RFC 2045 §5.2 says to take text/plain; '
    'charset=us-ascii: the body is readable as BODY[1].  Dovecot makes '
    'up an empty child and the text is only in BODY[TEXT] (README '
    'departure 11).')
departure(44, 'BODYSTRUCTURE',
          b'("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 97 9 NIL '
          b'NIL NIL NIL)', REASON_NO_BOUNDARY)
departure(44, 'BODY',
          b'("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 97 9)',
          REASON_NO_BOUNDARY)
departure(44, 'partial', b'--\r\nConten', REASON_NO_BOUNDARY)
departure(44, ('1', 'mime'), lambda ctx: ctx.header(), REASON_NO_BOUNDARY)
departure(44, ('1', 'body'), lambda ctx: ctx.text_digest(),
          REASON_NO_BOUNDARY)
departure(44, ('1', 'binary'), lambda ctx: ctx.text_digest(),
          REASON_NO_BOUNDARY)
departure(44, ('1', 'binary_size'), 97, REASON_NO_BOUNDARY)

# 050: header only, no blank line.
departure(50, 'header_fields',
          b'From: Monitor <monitor@host.example>\r\nSubject: DISK OK\r\n',
          'RFC 3501 §6.4.5: the blank line is included in all header '
          'fetches "except in the case of a message which has no body and '
          'no blank line"; Dovecot adds one (README departure 4).')

# 054: Content-Type syntax oddities.
REASON_INVALID_CT = (
    'RFC 2045 §5.2: a syntactically invalid Content-Type ("text" without '
    'subtype, ";charset=utf-8", empty) is taken as text/plain; '
    'charset=us-ascii; Dovecot returns ("text" "") and ("" "").  The '
    'doubled ";;" is an empty parameter, skipped: Dovecot drops every '
    'parameter after it (README departure 10).')
_054 = (b'(("text" "PLAIN" ("charset" "US-ASCII") NIL NIL "7bit" 16 0%(x)s)'
        b'("text" "plain" ("charset" "utf-8" "format" "Flowed") NIL NIL '
        b'"7bit" 28 0%(x)s)'
        b'("Text" "Html" ("CHARSET" "ISO-8859-1") NIL NIL "7bit" 17 0%(x)s)'
        b'("application" "octet-stream" ("name" "data.bin") NIL NIL "7bit" '
        b'30%(x)s)'
        b'("text" "plain" ("charset" "utf-8" "charset" "iso-8859-1") NIL NIL '
        b'"7bit" 17 0%(x)s)'
        b'("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 20 0%(x)s)'
        b'("image" "png" NIL NIL NIL "7bit" 23%(x)s)'
        b'("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 22 0%(x)s)'
        b'("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 18 0%(x)s)'
        b'("x-unknown" "x-thing" ("x-param" "1") NIL NIL "7bit" 12%(x)s)'
        b'("TEXT" "PLAIN" ("charset" "us-ascii") NIL NIL "BaSe64" 36 0%(x)s)'
        b' "Mixed"%(m)s)')
departure(54, 'BODYSTRUCTURE',
          _054 % {b'x': b' NIL NIL NIL NIL',
                  b'm': b' ("BOUNDARY" "odd-ws-55" "X-Extra" "yes") NIL NIL '
                        b'NIL'}, REASON_INVALID_CT)
departure(54, 'BODY', _054 % {b'x': b'', b'm': b''}, REASON_INVALID_CT)
departure(54, ('6', 'type'), 'text/plain', REASON_INVALID_CT)
departure(54, ('8', 'type'), 'text/plain', REASON_INVALID_CT)
departure(54, ('9', 'type'), 'text/plain', REASON_INVALID_CT)


# SEARCH: files added to / removed from Dovecot's matches.
SEARCH_DEPARTURES = {
    ('SUBJECT', 'Z\u00fcrich'): (
        {'031-ew-adjacent-and-split.eml'}, set(),
        'RFC 2047 §5 forbids splitting a character across encoded words, '
        'but a reader loses nothing by joining adjacent words of one '
        'charset before converting: 031\'s subject does say "Zürich".  '
        'Dovecot decodes each word alone and misses it.'),
    ('SENTBEFORE', '1-Jan-2000'): (
        set(), {'038-address-empty-from.eml', '070-date-garbage.eml',
                '071-date-obsolete-forms.eml'},
        'RFC 5322 §4.3: a three-digit year is 1900 + year, so 071 is dated '
        '2004, not unparsable (README departure 7).  A message without a '
        'usable Date (038, 070) is dated by its INTERNALDATE, the rule '
        'RFC 5256 gives for SORT and THREAD, so SEARCH agrees with them; '
        'Dovecot dates them 1 Jan 1970 for SEARCH only (README departure '
        '8).'),
}


def search_query(command):
    """(key, value) for mime-dump from a recorded SEARCH command."""
    data = command.encode('latin-1')
    words = data.split(b' ')
    words = words[1:]
    if words[0] == b'CHARSET':
        words = words[2:]
    key = words[0].decode()
    rest = b' '.join(words[1:])
    if key == 'HEADER':
        name, _, rest = rest.partition(b' ')
        key = 'HEADER:' + name.decode()
    if rest.startswith(b'{'):
        rest = rest[rest.index(b'\n') + 1:]
    return key, rest.decode('utf-8')


def check_search(chk, dump, corpus, reference):
    queries = [search_query(q['command']) for q in reference['search']]
    args = []
    for key, value in queries:
        args += ['--search', key, value]
    matched = {q: set() for q in queries}
    for name in sorted(reference['messages']):
        out = subprocess.run([dump] + args + [os.path.join(corpus, name)],
                             stdout=subprocess.PIPE, check=True)
        for line in out.stdout.decode('utf-8').splitlines():
            _, query, result = line.split('\t')
            key, _, value = query.partition(' ')
            if result == '1':
                matched[(key, value)].add(name)
    for recorded, query in zip(reference['search'], queries):
        expected = set(recorded['matched'])
        if query in SEARCH_DEPARTURES:
            added, removed, _ = SEARCH_DEPARTURES[query]
            expected = (expected | added) - removed
            chk.departures_used.add(('search',) + query)
        chk.compare_value('SEARCH', query, sorted(expected),
                          sorted(matched[query]))


class MessageContext:
    """What departure callables may look at: the message as stored (CRLF)
    and our answers."""

    def __init__(self, data, ours):
        self.data = data
        self.ours = ours

    def header(self):
        return hex_bytes(self.ours['header'])

    def text_digest(self):
        return self.ours['text'].split(' ')[0] + ' ' + \
            self.ours['text'].split(' ')[1]

    def section_body(self, section):
        part = self.ours['parts'][section]
        length = int(part['body'].split(' ')[0])
        offset = int(part['body.offset'])
        return self.data[offset:offset + length]


def crlf_normalize(data):
    out = bytearray()
    for i, c in enumerate(data):
        if c == 0x0a and (i == 0 or data[i - 1] != 0x0d):
            out += b'\r'
        out.append(c)
    return bytes(out)


# --------------------------------------------------------------------------
# Comparison.


class Checker:
    def __init__(self):
        self.failures = []
        self.departures_used = set()
        self.rules_used = {}
        self.checked = 0

    def fail(self, name, item, msg):
        self.failures.append('%s %s: %s' % (name, item, msg))

    def use_rule(self, rule, name, item):
        self.rules_used.setdefault(rule, []).append((name, item))

    def expected(self, ctx, num, item, dovecot):
        entry = DEPARTURES.get((num, item))
        if entry is None:
            return dovecot
        self.departures_used.add((num, item))
        expected = entry[0]
        return expected(ctx) if callable(expected) else expected

    def compare_value(self, name, item, expected, ours):
        self.checked += 1
        if expected != ours:
            self.fail(name, item, '\n    expected %r\n    got      %r'
                      % (expected, ours))

    def compare(self, ctx, name, num, item, dovecot, ours):
        self.compare_value(name, item, self.expected(ctx, num, item, dovecot),
                           ours)


def imap_value(text):
    value, _ = parse_imap(text if isinstance(text, bytes)
                          else text.encode('latin-1'))
    return value


def digest_of(record):
    if record.get('length') is None:
        return None
    return '%d %s' % (record['length'], record['sha256'])


def digest_bytes(value):
    return '%d %s' % (len(value), sha(value))


def our_digest(part, key):
    return ' '.join(part[key].split(' ')[:2])


def delimiter_crlf_rule(ctx, dovecot_digest, part, key):
    """RULE_DELIMITER_CRLF: whether Dovecot's answer is our bytes plus the
    CRLF that begins the enclosing delimiter."""
    length = int(part[key].split(' ')[0])
    offset = int(part[key + '.offset'])
    ours = ctx.data[offset:offset + length]
    after = ctx.data[offset + length:offset + length + 4]
    return after == b'\r\n--' and \
        dovecot_digest == digest_bytes(ours.replace(b'\0', b'\x80') + b'\r\n')


def check_digest(chk, ctx, name, num, item, dovecot_digest, part, key):
    expected = chk.expected(ctx, num, item, dovecot_digest)
    ours = our_digest(part, key)
    if expected != ours and \
            delimiter_crlf_rule(ctx, dovecot_digest, part, key):
        chk.use_rule(RULE_DELIMITER_CRLF, name, item)
        expected = ours
    chk.compare_value(name, item, expected, ours)
    return expected


def adjust_bodystructure(tree, sections, prefix=''):
    """RULE_DELIMITER_CRLF for BODYSTRUCTURE/BODY: message/rfc822 parts
    in sections are 2 bytes and 1 line shorter than Dovecot says."""
    if tree is None or not isinstance(tree, list):
        return tree
    if tree and isinstance(tree[0], list):
        children = [c for c in tree if isinstance(c, list) and c and
                    (isinstance(c[0], list) or isinstance(c[0], bytes))]
        # a multipart: children come first, then the subtype string
        count = 0
        for child in tree:
            if not isinstance(child, list):
                break
            count += 1
            adjust_bodystructure(child, sections, prefix + ('.' if prefix
                                                            else '') +
                                 str(count))
        del children
        return tree
    if len(tree) > 9 and tree[0].lower() == b'message' and \
            tree[1].lower() == b'rfc822':
        if prefix in sections:
            tree[6] = Atom(b'%d' % (int(tree[6]) - 2))
            tree[9] = Atom(b'%d' % (int(tree[9]) - 1))
        inner = tree[8]
        if inner and isinstance(inner[0], list):
            adjust_bodystructure(inner, sections, prefix)
        else:
            adjust_bodystructure(inner, sections, prefix + '.1')
    return tree


def check_summary(chk, ctx, name, num, entry, ours, crlf_sections):
    fetch = parse_fetch(entry['summary']['untagged'])
    chk.compare(ctx, name, num, 'RFC822.SIZE', int(fetch['RFC822.SIZE']),
                int(ours['rfc822.size']))
    for item, key in (('ENVELOPE', 'envelope'),
                      ('BODYSTRUCTURE', 'bodystructure'),
                      ('BODY', 'body')):
        expected = chk.expected(ctx, num, item, None)
        if expected is None:
            expected = fetch[item]
            if item != 'ENVELOPE' and crlf_sections:
                before = repr(expected)
                expected = adjust_bodystructure(expected, crlf_sections)
                if repr(expected) != before:
                    chk.use_rule(RULE_DELIMITER_CRLF, name, item)
        else:
            expected = imap_value(expected)
        chk.compare_value(name, item, expected,
                          imap_value(hex_bytes(ours[key])))


def check_fetches(chk, ctx, name, num, entry, ours):
    chk.compare(ctx, name, num, 'header',
                literal_of(entry['header']['untagged']),
                hex_bytes(ours['header']))
    check_digest(chk, ctx, name, num, 'text', digest_of(entry['text']),
                 ours, 'text')
    chk.compare(ctx, name, num, 'header_fields',
                literal_of(entry['header_fields']['untagged']),
                hex_bytes(ours['header.fields']))
    if 'partial' in ours:
        chk.compare(ctx, name, num, 'partial',
                    literal_of(entry['partial']['untagged']),
                    hex_bytes(ours['partial']))


def dovecot_binary(record):
    """Dovecot's BINARY answer as '[~]len sha' or 'NO'."""
    if record.get('tagged') is None or \
            not record['tagged'].startswith('OK'):
        if '[UNKNOWN-CTE]' in (record.get('tagged') or ''):
            return 'NO UNKNOWN-CTE'
        return 'NO'
    prefix = '~' if '~{' in record['skeleton'] else ''
    return prefix + digest_of(record)


def our_binary(part):
    if 'binary~' in part:
        return '~' + part['binary~']
    return part['binary']


def dovecot_binary_size(record):
    if record.get('tagged') is None or not record['tagged'].startswith('OK'):
        return 'NO'
    key = 'BINARY.SIZE[%s]' % record['command'].split('[')[1].split(']')[0]
    return int(parse_fetch(record['untagged'])[key])


def as_binary_answer(value):
    """A departure's decoded bytes as the '~len sha' BINARY answer."""
    if isinstance(value, bytes):
        return '~' + digest_bytes(value)
    return value


def check_binary(chk, ctx, name, num, section, dovecot, ours, body):
    dovecot_bin = dovecot_binary(dovecot['binary'])
    dovecot_size = dovecot_binary_size(dovecot['binary_size'])
    if dovecot['kind'] != 'leaf':
        expected_bin = body
        expected_size = int(body.split(' ')[0])
        dovecot_body = digest_of(dovecot['body'])
        if (dovecot_bin, dovecot_size) != \
                (dovecot_body, int(dovecot_body.split(' ')[0])):
            chk.use_rule(RULE_COMPOSITE_BINARY, name, section)
    else:
        expected_bin = as_binary_answer(chk.expected(
            ctx, num, (section, 'binary'), dovecot_bin))
        if ('binary~' not in ours and isinstance(expected_bin, str) and
                expected_bin.startswith('~') and
                (num, (section, 'binary')) in DEPARTURES):
            expected_bin = expected_bin[1:]   # identity encoding, no NUL
        expected_size = chk.expected(ctx, num, (section, 'binary_size'),
                                     dovecot_size)
    chk.compare_value(name, (section, 'binary'), expected_bin,
                      our_binary(ours))
    size = ours['binary.size']
    chk.compare_value(name, (section, 'binary_size'), expected_size,
                      'NO' if size.startswith('NO') else int(size))


def check_part(chk, ctx, name, num, section, dovecot, ours, crlf_sections):
    chk.compare(ctx, name, num, (section, 'kind'), dovecot['kind'],
                ours['kind'])
    chk.compare(ctx, name, num, (section, 'type'), dovecot['type'],
                ours['type'])
    chk.compare(ctx, name, num, (section, 'mime'),
                literal_of(dovecot['mime']['untagged']),
                hex_bytes(ours['mime']))
    body = check_digest(chk, ctx, name, num, (section, 'body'),
                        digest_of(dovecot['body']), ours, 'body')
    if body != digest_of(dovecot['body']) and dovecot['kind'] == 'message':
        crlf_sections.add(section)
    check_binary(chk, ctx, name, num, section, dovecot, ours, body)
    if dovecot['kind'] == 'message':
        chk.compare(ctx, name, num, (section, 'header'),
                    literal_of(dovecot['header']['untagged']),
                    hex_bytes(ours['header']))
        check_digest(chk, ctx, name, num, (section, 'text'),
                     digest_of(dovecot['text']), ours, 'text')


def check_parts(chk, ctx, name, num, entry, ours):
    crlf_sections = set()
    dovecot_sections = [p['section'] for p in entry['parts']]
    chk.compare(ctx, name, num, 'sections', dovecot_sections,
                list(ours['parts'].keys()))
    for dovecot in entry['parts']:
        part = ours['parts'].get(dovecot['section'])
        if part is not None:
            check_part(chk, ctx, name, num, dovecot['section'], dovecot,
                       part, crlf_sections)
    return crlf_sections


def check_own(chk, dump, data_dir):
    """Our own messages in DATA_DIR/mail, against expected.json."""
    mail_dir = os.path.join(data_dir, 'mail')
    with open(os.path.join(mail_dir, 'expected.json')) as f:
        expected = json.load(f)
    for name, entry in sorted(expected.items()):
        path = os.path.join(mail_dir, name)
        out = subprocess.run([dump, path], stdout=subprocess.PIPE,
                             check=True).stdout.decode('latin-1')
        top, parts, cur = {}, {}, None
        for line in out.splitlines():
            key, _, value = line.partition('\t')
            if key == 'part':
                cur = value.split(' ')[0]
                parts[cur] = {}
            elif cur is None:
                top[key] = value
            elif key in ('binary', 'binary~', 'binary.size'):
                parts[cur][key] = value
        for key in ('envelope', 'bodystructure', 'body',
                    'bodystructure.rev2'):
            chk.compare_value(name, key, entry[key].encode('latin-1'),
                              hex_bytes(top[key]))
        chk.compare_value(name, 'parts', entry['parts'], parts)
        for key, value, match in entry.get('search', []):
            out = subprocess.run([dump, '--search', key, value, path],
                                 stdout=subprocess.PIPE, check=True)
            result = out.stdout.decode('utf-8').split('\t')[-1].strip()
            chk.compare_value(name, ('search', key, value), str(match),
                              result)


def main():
    dump, data_dir = sys.argv[1], sys.argv[2]
    only = set(sys.argv[3:])
    corpus = os.path.join(data_dir, 'mime-corpus')
    with open(os.path.join(corpus, 'dovecot-2.3.19.json')) as f:
        reference = json.load(f)
    chk = Checker()
    for name, entry in sorted(reference['messages'].items()):
        if only and name not in only and name[:3] not in only:
            continue
        num = int(name[:3])
        path = os.path.join(corpus, name)
        with open(path, 'rb') as f:
            raw = f.read()
        if sha(raw) != entry['file_sha256']:
            chk.fail(name, 'file', 'sha256 differs: line ends converted?')
            continue
        ours = run_dump(dump, path)
        ctx = MessageContext(crlf_normalize(raw), ours)
        crlf_sections = check_parts(chk, ctx, name, num, entry, ours)
        check_summary(chk, ctx, name, num, entry, ours, crlf_sections)
        check_fetches(chk, ctx, name, num, entry, ours)
    if not only:
        check_search(chk, dump, corpus, reference)
        check_own(chk, dump, data_dir)
    unused = set(DEPARTURES) - chk.departures_used
    if not only:
        for key in sorted(unused, key=str):
            chk.failures.append('departure %r was not used' % (key,))
    for failure in chk.failures:
        print('FAIL', failure)
    for rule, uses in sorted(chk.rules_used.items()):
        print('rule %s: %d items (%s)' % (
            rule, len(uses), ', '.join(sorted(set(u[0][:3] for u in uses)))))
    print('%d items checked, %d departures from Dovecot listed, '
          '%d by rule, %d failures'
          % (chk.checked, len(chk.departures_used),
             sum(len(u) for u in chk.rules_used.values()),
             len(chk.failures)))
    return 1 if chk.failures else 0


if __name__ == '__main__':
    sys.exit(main())
