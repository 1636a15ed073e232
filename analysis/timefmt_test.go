package analysis

import (
	"testing"
	"time"
)

func TestFormatDuration(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{80 * time.Millisecond, "80ms"},
		{1645 * time.Millisecond, "1.645s"},
		{59*time.Minute + 59500*time.Millisecond, "59m59.5s"},
		{time.Hour, "1h 0m 0s"},
		{2*time.Hour + 3*time.Minute + 4*time.Second, "2h 3m 4s"},
		// The example: 120h56m37.38s.
		{120*time.Hour + 56*time.Minute + 37380*time.Millisecond, "5d 0h 56m 37s"},
		{-(999*24*time.Hour + 17*time.Hour + 28*time.Minute + 44*time.Second), "-999d 17h 28m 44s"},
	} {
		if got := FormatDuration(c.d); got != c.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}

func TestSpansDays(t *testing.T) {
	d := time.Date(2026, 11, 2, 23, 59, 0, 0, time.UTC)
	if SpansDays(d, d.Add(30*time.Second)) || !SpansDays(d, d.Add(2*time.Minute)) || SpansDays(time.Time{}, d) {
		t.Error("SpansDays")
	}
}

func TestFormatTime(t *testing.T) {
	at := time.Date(2026, 11, 27, 10, 4, 5, 678900000, time.FixedZone("CET", 3600))
	for _, c := range []struct {
		t        time.Time
		withDate bool
		want     string
	}{
		{at, false, "09:04:05.678"},
		{at, true, "2026-11-27 09:04:05.678"},
		{time.Time{}, false, "-"},
		{time.Time{}, true, "-"},
	} {
		if got := FormatTime(c.t, c.withDate); got != c.want {
			t.Errorf("FormatTime(%v, %v) = %q, want %q", c.t, c.withDate, got, c.want)
		}
	}
}
