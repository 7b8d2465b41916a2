"""Every documented maximum on input, in one place, each with the reason for its value.

cadresim reads files people send each other: scenarios, rosters, units, keys. Each is checked against
these limits before any work starts, so that a typing slip (``科员职数 1000000000``, ``end: 9999-12``)
or a hostile file (a YAML alias bomb, a zip bomb) is refused at once with a message naming the file,
the key or row, the value and what is allowed, rather than eating the machine's memory. The limits are
far above anything a real district or city needs; docs/limits.md lists them for users.
"""

from __future__ import annotations

from cadresim import dates
from cadresim.errors import Problem

# --- the district ---------------------------------------------------------------------------------

#: posts of one grade in one unit: the largest street office has a few hundred staff posts
MAX_POSTS_PER_UNIT = 10_000
#: posts, and cadres, in the whole district or city: 50 districts of the default size (2,086 posts each) fit
MAX_CADRES = 120_000
#: units in the whole district or city: 50 default districts have 2,700
MAX_UNITS = 10_000

# --- runs -----------------------------------------------------------------------------------------

#: replications of one run: 100,000 narrow a 95% interval to 0.6% of one replication's standard deviation
MAX_REPLICATIONS = 100_000
#: Plausible districts one run may cover (each grown once, then cached).
MAX_DISTRICTS = 1_000
#: points of one sweep: a grid of five keys with ten values each
MAX_SWEEP_POINTS = 100_000
#: runs of one sweep (points x replications): about 15 hours on two cores (2,000 runs take two minutes)
MAX_SWEEP_RUNS = 1_000_000
#: worker processes: more than the cores of any machine this runs on, each one a copy of the district
MAX_JOBS = 256

# --- dates ----------------------------------------------------------------------------------------

#: the first month a scenario may name: cadres serving in 2014 were born from the 1950s on
FIRST_MONTH = "1950-01"
#: the last month a scenario may name: the theory checks run to 2099-12
LAST_MONTH = "2100-12"
#: years from start to end: the theory checks run 100 years; a personnel plan looks a few decades ahead
MAX_HORIZON_YEARS = 100
#: a span of years in a rule (years in grade, in post, of work): longer than any career
MAX_YEARS = 1_000

# --- scenario files -------------------------------------------------------------------------------

#: bytes of one scenario file: the shipped ones are under 3 KB, the fully resolved default under 6 KB
MAX_YAML_BYTES = 1 << 20
#: values in one scenario file with its aliases expanded: the fully resolved city scenario has about 300
MAX_YAML_NODES = 20_000
#: nesting of mappings and lists: the scenario format is five levels deep
MAX_YAML_DEPTH = 32
#: scenario files in one extends chain: the shipped scenarios use two
MAX_EXTENDS = 16

# --- roster and units files -----------------------------------------------------------------------

#: bytes of a CSV or .xlsx roster or units file: MAX_CADRES rows of an HR file of 50 columns fit
MAX_TABLE_BYTES = 64 << 20
#: bytes an .xlsx unpacks to (its zip's declared sizes): MAX_CADRES rows of cadresim's 16 columns take 95 MB
MAX_XLSX_UNPACKED = 256 << 20
#: how much smaller than its content an .xlsx part may be: workbooks pack 5 to 20 times; a zip bomb 1,000
MAX_XLSX_RATIO = 200
#: non-empty rows of a file: MAX_CADRES cadres, with room for title and note rows
MAX_TABLE_ROWS = MAX_CADRES + 1_000
#: cells of a row up to its last non-empty one: HR rosters have about 50 columns
MAX_TABLE_COLUMNS = 1_000
#: characters in one cell: Excel's own limit (32,767)
MAX_CELL_CHARS = 32_767
#: bad cells reported one by one in a column; the rest are counted in one message
MAX_PROBLEMS_PER_COLUMN = 20
#: problems reported one by one for a scenario; the rest are counted in one message
MAX_PROBLEMS = 100

# --- the pseudonym key ----------------------------------------------------------------------------

#: bytes of a key file: a key cadresim makes is 65 bytes, a key written by hand a line
MAX_KEY_FILE_BYTES = 1_024


def within(source: str, path: str, what: str, value: int, limit: int) -> list[Problem]:
    """A problem when ``value`` exceeds ``limit``, else none.

    Args:
        source: the file or option the value came from.
        path: the key, row or column within it ("" for the whole file).
        what: what the value counts, e.g. "replications".
        value: the value given (or found).
        limit: the largest allowed.
    """
    if value <= limit:
        return []
    return [Problem(source, path, f"{what}: at most {limit:,} (a documented limit, see docs/limits.md)", value)]


def month_window() -> tuple[int, int]:
    """The first and last month index a scenario may name."""
    return dates.parse(FIRST_MONTH), dates.parse(LAST_MONTH)
