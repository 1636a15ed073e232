package ui

import (
	"slices"
	"testing"
	"time"

	"github.com/mikeyscope/mikeyscope/analysis"
)

func rowIDs(rows []*sessionRow) []int {
	var ids []int
	for _, r := range rows {
		ids = append(ids, r.s.ID)
	}
	return ids
}

func TestSessionRowCounts(t *testing.T) {
	rows := buildSessionRows(fixtureReport(true, false))
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	for _, tc := range []struct {
		row                        *sessionRow
		decrypt, failing, findings int
		streams, findLabel, codes  string
	}{
		{rows[0], 2, 0, 0, "2 ok /2", "0", ""},
		{rows[1], 0, 1, 3, "0 ok 1 fail /1", "3 (1E 2W)", "mikey.keys-in-clear mikey.no-integrity srtp.auth-failed"},
	} {
		r := tc.row
		if r.decrypt != tc.decrypt || r.failing != tc.failing || r.findings != tc.findings ||
			r.streamsLabel() != tc.streams || findingLabel(r.s.FindingCounts) != tc.findLabel || r.codes != tc.codes {
			t.Errorf("session %d: decrypt %d failing %d findings %d streams %q findings %q codes %q",
				r.s.ID, r.decrypt, r.failing, r.findings, r.streamsLabel(), findingLabel(r.s.FindingCounts), r.codes)
		}
	}
}

// sortFixture has sessions whose columns order differently.
func sortFixture() []*sessionRow {
	mk := func(id int, start int, carrier, from, mode string, status analysis.KeyStatus, failing, errs int) *analysis.Session {
		s := &analysis.Session{ID: id, Start: time.Unix(int64(start), 0), Carrier: carrier, From: from, To: "x",
			Mode: mode, KeyStatus: status, FindingCounts: analysis.FindingCounts{Errors: errs}}
		for i := 0; i < failing; i++ {
			s.Streams = append(s.Streams, &analysis.Stream{KeyStatus: "failing"})
		}
		return s
	}
	r := &analysis.Report{Sessions: []*analysis.Session{
		mk(1, 30, "sip", "carol", "PSK", "verified", 0, 0),
		mk(2, 10, "rtsp", "alice", "NULL", "in-clear", 1, 2),
		mk(3, 20, "sip", "bob", "DH", "failed", 2, 1),
	}}
	return buildSessionRows(r)
}

func TestSortSessionRows(t *testing.T) {
	for _, tc := range []struct {
		col  sortColumn
		desc bool
		want []int
	}{
		{sortByTime, false, []int{2, 3, 1}},
		{sortByTime, true, []int{1, 3, 2}},
		{sortByCarrier, false, []int{2, 1, 3}}, // ties by ID
		{sortByPeers, false, []int{2, 3, 1}},
		{sortByMode, false, []int{3, 2, 1}},
		{sortByStatus, false, []int{3, 2, 1}}, // failed, in-clear, verified
		{sortByStreams, true, []int{3, 2, 1}},
		{sortByFindings, true, []int{2, 3, 1}},
	} {
		rows := sortFixture()
		sortSessionRows(rows, tc.col, tc.desc)
		if got := rowIDs(rows); !slices.Equal(got, tc.want) {
			t.Errorf("sort by %s desc=%v: %v, want %v", tc.col, tc.desc, got, tc.want)
		}
	}
}

func TestFilterSessionRows(t *testing.T) {
	r := fixtureReport(true, false)
	for _, tc := range []struct {
		query string
		want  []int
	}{
		{"", []int{1, 2}},
		{"RTSP", []int{2}},
		{"carrier:sip", []int{1}},
		{"carrier:si", nil}, // field terms match whole values
		{"status:verified", []int{1}},
		{"status:inclear", []int{2}},
		{"mode:null", []int{2}},
		{"code:srtp", []int{2}},
		{"code:mikey.keys-in-clear", []int{2}},
		{"code:mikey.no-key", nil},
		{"alice biloxi", []int{1}},
		{"alice rtsp", nil},
		{"keys-in-clear", []int{2}}, // free text searches finding codes too
		{"unknown:x", nil},          // an unknown field is free text
	} {
		rows := filterSessionRows(buildSessionRows(r), parseSessionFilter(tc.query))
		if got := rowIDs(rows); !slices.Equal(got, tc.want) {
			t.Errorf("filter %q: %v, want %v", tc.query, got, tc.want)
		}
	}
}

func FuzzSessionFilter(f *testing.F) {
	for _, q := range []string{"", "rtsp", "carrier:sip status:verified", "code:", ":", "code:srtp mode:psk x", "\x00\xff"} {
		f.Add(q)
	}
	r := fixtureReport(false, false)
	f.Fuzz(func(t *testing.T, q string) {
		all := buildSessionRows(r)
		rows := filterSessionRows(buildSessionRows(r), parseSessionFilter(q))
		if len(rows) > len(all) {
			t.Fatalf("filter %q grew the list", q)
		}
		// Adding a term never widens the result.
		more := filterSessionRows(buildSessionRows(r), parseSessionFilter(q+" carrier:sip"))
		if len(more) > len(rows) {
			t.Fatalf("filter %q + carrier:sip: %d rows, more than %d", q, len(more), len(rows))
		}
	})
}

func TestLadder(t *testing.T) {
	sigs := []*analysis.Signal{
		{Src: "10.0.0.1:5060", Dst: "10.0.0.2:5060", Summary: "INVITE sip:b", MIKEY: 1},
		{Src: "10.0.0.2:5060", Dst: "10.0.0.1:5060", Summary: "200 OK"},
		{Src: "10.0.0.1:5060", Dst: "10.0.0.3:5060", Summary: "[red]x\x1b[2J"},
	}
	l := newLadder(sigs, 72)
	if !slices.Equal(l.hosts, []string{"10.0.0.1:5060", "10.0.0.2:5060", "10.0.0.3:5060"}) || l.colW != 24 {
		t.Fatalf("hosts %v width %d", l.hosts, l.colW)
	}
	for _, tc := range []struct {
		sig  *analysis.Signal
		want string
	}{
		// Lifelines at 12, 36, 60; the label is cut to the arrow's room.
		{sigs[0], "            │─ ◆MIKEY INVITE sip:…─▶│                       │           "},
		{sigs[1], "            │◀────── 200 OK ────────│                       │           "},
		// Across a lifeline; wire text made visible (tags are escaped by
		// the caller).
		{sigs[2], `            │─────────────── [red]x\x1b[2J ────────────────▶│           `},
	} {
		if got := l.line(tc.sig); got != tc.want {
			t.Errorf("line %q:\n got %q\nwant %q", tc.sig.Summary, got, tc.want)
		}
	}
	if got, want := l.header(), "      10.0.0.1:5060           10.0.0.2:5060           10.0.0.3:5060     "; got != want {
		t.Errorf("header\n got %q\nwant %q", got, want)
	}
}

// FuzzLadder: any addresses and summary give lines of exactly the canvas
// width, with no control character.
func FuzzLadder(f *testing.F) {
	f.Add("10.0.0.1:5060", "10.0.0.2:5060", "INVITE sip:b", 1, 80)
	f.Add("a", "a", "self", 0, 0)
	f.Add("", "\x1b[2J", "[red]\u202e", 3, 500)
	f.Fuzz(func(t *testing.T, src, dst, summary string, nmikey, width int) {
		sigs := []*analysis.Signal{{Src: src, Dst: dst, Summary: summary, MIKEY: nmikey % 100},
			{Src: dst, Dst: "third", Summary: summary}}
		l := newLadder(sigs, width%4096)
		want := l.colW * len(l.hosts)
		for _, line := range []string{l.header(), l.line(sigs[0]), l.line(sigs[1])} {
			if n := len([]rune(line)); n != want {
				t.Fatalf("line %q has %d runes, want %d", line, n, want)
			}
			for _, r := range line {
				if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
					t.Fatalf("line %q keeps %U", line, r)
				}
			}
		}
	})
}
