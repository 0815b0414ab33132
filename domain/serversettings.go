package domain

import (
	"strconv"
	"strings"
	"time"
)

// ServerSettings bound the desk's ISO 18626 server (illdesk serve and the
// window's listener): how long a caller may take, how many may be
// connected, how many messages a minute are taken in.
type ServerSettings struct {
	// AllowPlainHTTP lets the server listen without TLS on an address
	// other than loopback.
	AllowPlainHTTP bool
	// MaxConnections caps the connections open at once;
	// MaxConnectionsPerAddress caps those of one address, so that one
	// address cannot take every place.
	MaxConnections, MaxConnectionsPerAddress int
	// RatePerAddress and RatePerAgency are how many messages a minute one
	// address may send and one agency may be named in (each up to that
	// many at once).
	RatePerAddress, RatePerAgency int
	// ReadTimeout bounds reading a whole message, WriteTimeout handling
	// and answering it, IdleTimeout a kept-alive connection's wait.
	ReadTimeout, WriteTimeout, IdleTimeout time.Duration
}

// DefaultServerSettings are generous for a busy partner, and for tests
// that send from 127.0.0.1.
var DefaultServerSettings = ServerSettings{MaxConnections: 256, MaxConnectionsPerAddress: 32,
	RatePerAddress: 240, RatePerAgency: 120,
	ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute}

// serverSetting is one server setting: its command-line name, how it is
// read, checked and put in ServerSettings.
type serverSetting struct {
	name string
	// stored is the settings key when it is not the name's server_ key.
	stored string
	check  func(string) (string, error) // the value as stored
	set    func(*ServerSettings, string)
	show   func(ServerSettings) string
}

func (s serverSetting) key() string {
	if s.stored != "" {
		return s.stored
	}
	return "server_" + strings.ReplaceAll(s.name, "-", "_")
}

func countSetting(name string, max int, field func(*ServerSettings) *int) serverSetting {
	return serverSetting{name: name,
		check: func(v string) (string, error) {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < 1 || n > max {
				return "", refuse(ErrInvalidInput, "%s takes a whole number from 1 to %d.", name, max)
			}
			return strconv.Itoa(n), nil
		},
		set:  func(s *ServerSettings, v string) { *field(s), _ = strconv.Atoi(v) },
		show: func(s ServerSettings) string { return strconv.Itoa(*field(&s)) }}
}

func durationSetting(name string, field func(*ServerSettings) *time.Duration) serverSetting {
	return serverSetting{name: name,
		check: func(v string) (string, error) {
			d, err := time.ParseDuration(strings.TrimSpace(v))
			if err != nil || d < 100*time.Millisecond || d > time.Hour {
				return "", refuse(ErrInvalidInput, "%s takes a time from 100ms to 1h, e.g. 30s or 2m.", name)
			}
			return d.String(), nil
		},
		set:  func(s *ServerSettings, v string) { *field(s), _ = time.ParseDuration(v) },
		show: func(s ServerSettings) string { return field(&s).String() }}
}

var serverSettings = []serverSetting{
	// one setting for both ways: partners' endpoints and our own listener
	{name: "allow-plain-http", stored: SettingAllowPlainHTTP,
		check: func(v string) (string, error) {
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "on":
				return "on", nil
			case "off":
				return "off", nil
			}
			return "", refuse(ErrInvalidInput, "allow-plain-http is on or off.")
		},
		set: func(s *ServerSettings, v string) { s.AllowPlainHTTP = v == "on" },
		show: func(s ServerSettings) string {
			if s.AllowPlainHTTP {
				return "on"
			}
			return "off"
		}},
	countSetting("max-connections", 100_000, func(s *ServerSettings) *int { return &s.MaxConnections }),
	countSetting("max-connections-per-address", 100_000, func(s *ServerSettings) *int { return &s.MaxConnectionsPerAddress }),
	countSetting("rate-per-address", 1_000_000, func(s *ServerSettings) *int { return &s.RatePerAddress }),
	countSetting("rate-per-agency", 1_000_000, func(s *ServerSettings) *int { return &s.RatePerAgency }),
	durationSetting("read-timeout", func(s *ServerSettings) *time.Duration { return &s.ReadTimeout }),
	durationSetting("write-timeout", func(s *ServerSettings) *time.Duration { return &s.WriteTimeout }),
	durationSetting("idle-timeout", func(s *ServerSettings) *time.Duration { return &s.IdleTimeout }),
}

func serverSettingNamed(name string) (serverSetting, bool) {
	for _, s := range serverSettings {
		if s.name == name {
			return s, true
		}
	}
	return serverSetting{}, false
}

// IsServerSetting reports whether name (as on the command line, e.g.
// read-timeout) is one of the server settings.
func IsServerSetting(name string) bool {
	_, ok := serverSettingNamed(name)
	return ok
}

// Show lists the settings as name and value, in a fixed order.
func (s ServerSettings) Show() [][2]string {
	var out [][2]string
	for _, st := range serverSettings {
		out = append(out, [2]string{st.name, st.show(s)})
	}
	return out
}

// ServerSettings reads the server settings; one unset or unreadable is
// its default.
func (d *PartnerService) ServerSettings() (ServerSettings, error) {
	out := DefaultServerSettings
	err := d.store.View(func(tx Tx) error {
		for _, st := range serverSettings {
			v, err := tx.Setting(st.key())
			if err != nil {
				return err
			}
			if v, err = st.check(v); err == nil {
				st.set(&out, v)
			}
		}
		return nil
	})
	if err != nil {
		return DefaultServerSettings, err
	}
	return out, nil
}

// SetServerSetting sets one server setting by its command-line name (a
// Fulfillment Services Operator's task); the change is audited. The
// server reads it when it starts.
func (d *PartnerService) SetServerSetting(name, value string, by ...Actor) error {
	if err := d.allow(actorOf(by), RoleFulfillment, "Changing the server's limits"); err != nil {
		return err
	}
	st, ok := serverSettingNamed(name)
	if !ok {
		return refuse(ErrInvalidInput, "%q is not a server setting.", name)
	}
	v, err := st.check(value)
	if err != nil {
		return err
	}
	return d.store.Update(func(tx Tx) error {
		before, err := tx.Setting(st.key())
		if err != nil {
			return err
		}
		if before == "" {
			before = st.show(DefaultServerSettings)
		}
		if err := d.auditConfig(tx, actorOf(by), "server", map[string]string{name: before}, map[string]string{name: v}); err != nil {
			return err
		}
		return tx.PutSetting(st.key(), v)
	})
}
