package domain

// A settingGroup is a set of department settings kept one per key under
// their command-line names (the catalogue's, the ILS's): read together,
// set one at a time, checked and audited as a whole.
type settingGroup[S any] struct {
	keys []string
	// area names the group in the audit log; task says what staff do, for
	// a refusal of their role.
	area, task string
	check      func(key, value string) (string, error)
	set        func(s *S, key, value string)
	// valid, when set, checks the group as a whole after one key changed.
	valid func(S) error
}

// read is the group's settings as stored.
func (g settingGroup[S]) read(tx Tx) (S, error) {
	var s S
	for _, k := range g.keys {
		v, err := tx.Setting(settingKey(k))
		if err != nil {
			var zero S
			return zero, err
		}
		g.set(&s, k, v)
	}
	return s, nil
}

// view reads the group in a transaction of its own.
func (g settingGroup[S]) view(d *core) (S, error) {
	var s S
	err := d.store.View(func(tx Tx) error {
		var err error
		s, err = g.read(tx)
		return err
	})
	return s, err
}

// put checks and sets one of the group's settings by its key; "" clears
// it. It is a Fulfillment Services Operator's task, audited like every
// setting.
func (g settingGroup[S]) put(d *core, key, value string, by []Actor) error {
	if err := d.allow(actorOf(by), RoleFulfillment, g.task); err != nil {
		return err
	}
	v, err := g.check(key, value)
	if err != nil {
		return err
	}
	return d.store.Update(func(tx Tx) error {
		before, err := g.read(tx)
		if err != nil {
			return err
		}
		after := before
		g.set(&after, key, v)
		if g.valid != nil {
			if err := g.valid(after); err != nil {
				return err
			}
		}
		if err := d.auditConfig(tx, actorOf(by), g.area, before, after); err != nil {
			return err
		}
		return tx.PutSetting(settingKey(key), v)
	})
}
