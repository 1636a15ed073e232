package analysis

import (
	"fmt"
	"time"
)

// FormatDuration writes a duration for people: below an hour as Go does
// ("1.645s", "59m59.5s"); from an hour on in days, hours, minutes and
// seconds ("2h 3m 4s", "5d 0h 56m 37s"), never as "120h56m37.38s".
func FormatDuration(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	if d < time.Hour {
		return sign + d.Round(time.Millisecond).String()
	}
	d = d.Round(time.Second)
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	h, m, s := d/time.Hour, (d%time.Hour)/time.Minute, (d%time.Minute)/time.Second
	if days > 0 {
		return fmt.Sprintf("%s%dd %dh %dm %ds", sign, days, h, m, s)
	}
	return fmt.Sprintf("%s%dh %dm %ds", sign, h, m, s)
}

// FormatTime writes a capture time as every view shows it: UTC to the
// millisecond, "15:04:05.000", with its date ("2006-01-02 15:04:05.000")
// when withDate (a capture or session that spans days, SpansDays); "-"
// for the zero time (unknown).
func FormatTime(t time.Time, withDate bool) string {
	if t.IsZero() {
		return "-"
	}
	if withDate {
		return t.UTC().Format("2006-01-02 15:04:05.000")
	}
	return t.UTC().Format("15:04:05.000")
}

// SpansDays reports whether two times (UTC) fall on different dates: a
// capture or session that does shows dates with its times.
func SpansDays(a, b time.Time) bool {
	if a.IsZero() || b.IsZero() {
		return false
	}
	ay, am, ad := a.UTC().Date()
	by, bm, bd := b.UTC().Date()
	return ay != by || am != bm || ad != bd
}
