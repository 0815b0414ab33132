package iso18626

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// dateTimeRE matches xs:dateTime and the variants real peers send: a space
// instead of T, no seconds, a comma before the fraction, any number of
// fraction digits, an offset written +hh, +hhmm or +hh:mm, no zone at all,
// or a date alone.
var dateTimeRE = regexp.MustCompile(
	`^(\d{4})-(\d{2})-(\d{2})` +
		`(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?` +
		`(Z|z|[+-]\d{2}(?::?\d{2})?)?$`)

var errNotDateTime = errors.New("not a date and time")

// ParseDateTime reads an xs:dateTime or one of its common variants: a
// +0000 offset, no zone (read as UTC), fractional seconds of any length, a
// date alone (midnight UTC). A zero offset gives a time in time.UTC, any
// other a time in a fixed zone with that offset.
func ParseDateTime(s string) (time.Time, error) {
	m := dateTimeRE.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, errNotDateTime
	}
	num := func(s string) int {
		if s == "" {
			return 0
		}
		n, _ := strconv.Atoi(s)
		return n
	}
	year, month, day := num(m[1]), num(m[2]), num(m[3])
	hour, minute, sec := num(m[4]), num(m[5]), num(m[6])
	nsec := 0
	if f := m[7]; f != "" {
		if len(f) > 9 {
			f = f[:9]
		}
		nsec = num(f)
		for i := len(f); i < 9; i++ {
			nsec *= 10
		}
	}
	if year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) {
		return time.Time{}, errNotDateTime
	}
	nextDay := false
	switch {
	case hour == 24 && minute == 0 && sec == 0 && nsec == 0:
		hour, nextDay = 0, true // xs:dateTime allows 24:00:00 for the end of the day
	case hour > 23 || minute > 59 || sec > 59:
		return time.Time{}, errNotDateTime
	}
	loc := time.UTC
	if z := m[8]; z != "" && z != "Z" && z != "z" {
		oh, om := num(z[1:3]), 0
		if len(z) > 3 {
			om = num(z[len(z)-2:])
		}
		if oh > 14 || om > 59 || (oh == 14 && om != 0) {
			return time.Time{}, errNotDateTime
		}
		off := (oh*60 + om) * 60
		if z[0] == '-' {
			off = -off
		}
		if off != 0 {
			loc = time.FixedZone("", off)
		}
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc)
	if nextDay {
		t = t.AddDate(0, 0, 1)
	}
	return t, nil
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// FormatDateTime writes t as RFC 3339 (a valid xs:dateTime): fractional
// seconds only when there are some, Z for UTC, else a +hh:mm offset. A time
// whose zone offset is not a whole number of minutes is written in UTC.
func FormatDateTime(t time.Time) (string, error) {
	if _, off := t.Zone(); off%60 != 0 {
		t = t.UTC()
	}
	if y := t.Year(); y < 1 || y > 9999 {
		return "", fmt.Errorf("year %d is out of range", y)
	}
	return t.Format(time.RFC3339Nano), nil
}
