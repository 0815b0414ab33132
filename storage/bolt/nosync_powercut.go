//go:build powercut_nosync

// This file exists only so that scripts/powercut.sh can prove it catches
// lost writes (scripts/powercut.sh --expect-loss). Built with
// -tags powercut_nosync, ILL Desk commits without syncing the database file
// (bbolt's NoSync and NoGrowSync), so a power cut loses changes it said were
// saved. Never build a release with this tag.

package bolt

func init() { unsynced = true }
