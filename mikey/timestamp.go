package mikey

import (
	"fmt"
	"math"
	"time"
)

// ntpEpochOffset is the number of seconds from 1900-01-01 to 1970-01-01.
const ntpEpochOffset = 2208988800

// filetimeEpochOffset is the number of seconds from 1601-01-01 to 1970-01-01.
const filetimeEpochOffset = 11644473600

// Timestamp is a decoded T payload value.
type Timestamp struct {
	Type TSType
	// Value64 is the timestamp as the 64-bit number MIKEY feeds to the
	// AES-CM IV and the PRF: COUNTER padded with leading zeros (RFC 3830
	// §6.6), NTP-UTC-32 padded with a zero fraction (RFC 6043 §6.3).
	Value64 uint64
	// Time is the wall-clock time; zero for COUNTER.
	Time time.Time
	// FILETIME is set when an NTP-UTC value is in fact a Windows FILETIME
	// (100 ns ticks since 1601), as Genetec Omnicast clients send; Time is
	// then the FILETIME reading.
	FILETIME bool
}

// DecodeTimestamp decodes a T payload value of type tsType as the codec
// holds it (the 64-bit value for NTP-UTC and NTP, the 32-bit value for
// COUNTER and NTP-UTC-32). If capture is not zero, it decides the
// NTP-versus-FILETIME ambiguity by proximity to the capture time; otherwise
// by plausibility (see IsFILETIMEQuirk).
func DecodeTimestamp(tsType TSType, value uint64, capture time.Time) (Timestamp, error) {
	ts := Timestamp{Type: tsType}
	switch tsType {
	case TSTypeNTPUTC, TSTypeNTP:
		ts.Value64 = value
		ts.Time = NTPTime(value)
		if tsType == TSTypeNTPUTC && IsFILETIMEQuirk(value, capture) {
			ts.FILETIME = true
			ts.Time = FILETIMETime(value)
		}
	case TSTypeCounter:
		if value > 0xFFFFFFFF {
			return ts, fmt.Errorf("COUNTER timestamp 0x%x exceeds 32 bits", value)
		}
		ts.Value64 = value
	case TSTypeNTPUTC32:
		if value > 0xFFFFFFFF {
			return ts, fmt.Errorf("NTP-UTC-32 timestamp 0x%x exceeds 32 bits", value)
		}
		ts.Value64 = value << 32
		ts.Time = NTPTime(ts.Value64)
	default:
		return ts, fmt.Errorf("unknown timestamp type %d", tsType)
	}
	return ts, nil
}

// ReadTimestamp decodes the message's T payload (RFC 3830 §6.6) as
// DecodeTimestamp does, capture deciding an NTP-UTC value that is in fact
// a Windows FILETIME. ok is false when the message has no T payload.
func (m *Message) ReadTimestamp(capture time.Time) (ts Timestamp, ok bool, err error) {
	t := m.Timestamp()
	if t == nil {
		return Timestamp{}, false, nil
	}
	ts, err = DecodeTimestamp(t.TSType, t.Value, capture)
	return ts, true, err
}

// NTPReading is the value read as an NTP timestamp (RFC 3830 §6.6), as a
// peer following the RFC reads it; it differs from Time when FILETIME is
// set, and is zero for COUNTER.
func (t Timestamp) NTPReading() time.Time {
	if t.Type == TSTypeCounter {
		return time.Time{}
	}
	return NTPTime(t.Value64)
}

// Timestamp64 returns the 64-bit timestamp value that the AES-CM IV and
// the V payload use for a T payload (RFC 3830 §4.2.3, §6.6; RFC 6043 §6.3).
func Timestamp64(t *TPayload) (uint64, error) {
	ts, err := DecodeTimestamp(t.TSType, t.Value, time.Time{})
	return ts.Value64, err
}

// Offset returns the message time minus the capture time (positive when the
// sender's clock is ahead), and false when either is unknown.
func (t Timestamp) Offset(capture time.Time) (time.Duration, bool) {
	if t.Time.IsZero() || capture.IsZero() {
		return 0, false
	}
	return t.Time.Sub(capture), true
}

// NTPTime converts a 64-bit NTP timestamp (RFC 3830 §4.2.8) to time,
// applying the era rule of RFC 4330 §3 that RFC 6043 §6.3 makes mandatory:
// a seconds value with the top bit clear lies in 2036-2104.
func NTPTime(v uint64) time.Time {
	sec := int64(v >> 32)
	if sec&0x80000000 == 0 {
		sec += 1 << 32
	}
	frac := v & 0xFFFFFFFF
	nsec := int64((frac * 1e9) >> 32)
	return time.Unix(sec-ntpEpochOffset, nsec).UTC()
}

// NTP64 converts a time to a 64-bit NTP timestamp (for building messages).
func NTP64(t time.Time) uint64 {
	sec := uint64(t.Unix() + ntpEpochOffset)
	frac := (uint64(t.Nanosecond()) << 32) / 1e9
	return sec<<32 | frac
}

// FILETIMETime converts a Windows FILETIME (100 ns ticks since 1601-01-01
// UTC) to time.
func FILETIMETime(v uint64) time.Time {
	sec := int64(v / 1e7)
	nsec := int64(v%1e7) * 100
	return time.Unix(sec-filetimeEpochOffset, nsec).UTC()
}

// IsFILETIMEQuirk reports whether a 64-bit NTP-UTC value is better read as
// a Windows FILETIME. With a capture time the nearer reading wins. Without,
// the value is taken as FILETIME when that reading falls in 1995-2100 and
// the NTP reading falls in the first 4 years after the 2036 NTP rollover
// (which is where every FILETIME of this century lands when read as NTP).
func IsFILETIMEQuirk(v uint64, capture time.Time) bool {
	ft := FILETIMETime(v)
	if ft.Year() < 1995 || ft.Year() > 2100 {
		return false
	}
	ntp := NTPTime(v)
	if !capture.IsZero() {
		return absDuration(ft.Sub(capture)) < absDuration(ntp.Sub(capture))
	}
	rollover := time.Date(2036, 2, 7, 6, 28, 16, 0, time.UTC)
	return !ntp.Before(rollover) && ntp.Before(rollover.AddDate(4, 0, 0))
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		if d == time.Duration(math.MinInt64) {
			return time.Duration(math.MaxInt64)
		}
		return -d
	}
	return d
}
