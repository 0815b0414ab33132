package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/storage/bolt"
	"github.com/illdesk/illdesk/storage/postgres"
	"github.com/illdesk/illdesk/storage/vault"
)

const migrateUsage = "migrate --from PATH.db --to postgres://USER@HOST/DB [--vault DIR] [--json]"

// migrateResult is what migrate reports: the copy and both sides' checks.
type migrateResult struct {
	Copied       bolt.MigrateReport `json:"copied"`
	Files        int                `json:"files_copied"`
	FromRequests int                `json:"from_requests"`
	ToRequests   int                `json:"to_requests"`
	FromSound    bool               `json:"from_sound"`
	ToSound      bool               `json:"to_sound"`
}

// cmdMigrate moves a workstation's database into the department database:
// the shipped files into the shared vault first, then every record in one
// transaction of the department database; then it checks both sides.
func (s *dataCommands) cmdMigrate(args []string) error {
	fs := newFlags("migrate")
	from := fs.String("from", "", "the workstation database to move (PATH.db)")
	to := fs.String("to", "", "the department database (postgres://USER@HOST/DB)")
	vaultDir := fs.String("vault", "", "the department's shared folder of shipped files (default ILLDESK_VAULT)")
	asJSON := fs.Bool("json", false, "JSON output")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(pos, 0, migrateUsage); err != nil {
		return err
	}
	if *vaultDir == "" {
		*vaultDir = s.getenv("ILLDESK_VAULT")
	}
	switch {
	case *from == "" || *to == "":
		return usagef("usage: illdesk %s", migrateUsage)
	case !postgres.IsURL(*to):
		return usagef("migrate: --to must be a postgres:// address")
	case *vaultDir == "":
		return usagef("migrate: give the department's shared folder of shipped files with --vault or ILLDESK_VAULT")
	}

	if heldByOther(*from) {
		return heldElsewhere(*from, "close it first, then migrate. Nothing was changed.")
	}
	src, err := bolt.Open(*from)
	if err != nil {
		return err
	}
	defer src.Close()
	srcVault, err := vault.Open(src, bolt.VaultDirFor(*from))
	if err != nil {
		return err
	}
	dst, err := postgres.Open(context.Background(), *to)
	if err != nil {
		return err
	}
	defer dst.Close()
	dstVault, err := vault.Open(dst, *vaultDir)
	if err != nil {
		return err
	}

	var res migrateResult
	if res.Files, err = srcVault.CopyFilesTo(dstVault); err != nil {
		return err
	}
	if res.Copied, err = src.CopyTo(dst); err != nil {
		return err
	}
	fromRep, err := domain.NewDesk(domain.Config{Store: src, Vault: srcVault}).Check(false, s.actor())
	if err != nil {
		return err
	}
	toRep, err := domain.NewDesk(domain.Config{Store: dst, Vault: dstVault}).Check(false, s.actor())
	if err != nil {
		return err
	}
	res.FromRequests, res.ToRequests = fromRep.Requests, toRep.Requests
	res.FromSound, res.ToSound = fromRep.Sound(), toRep.Sound()

	if *asJSON {
		if err := s.printJSON(res); err != nil {
			return err
		}
	} else {
		c := res.Copied
		s.printf("Copied %d requests, %d partners, %d settings, %d notices, %d records and %d files into the department database.\n",
			c.Requests, c.Partners, c.Settings, c.Notices, c.Records, res.Files)
		if len(c.KeptPartners) > 0 {
			s.printf("Partners the department already had, kept as they are there: %s.\n", strings.Join(c.KeptPartners, ", "))
		}
		if len(c.KeptSettings) > 0 {
			s.printf("Settings the department already had, kept as they are there: %s.\n", strings.Join(c.KeptSettings, ", "))
		}
		s.printf("This workstation's database: %d requests, %s. The department database: %d requests, %s.\n",
			res.FromRequests, soundWord(res.FromSound), res.ToRequests, soundWord(res.ToSound))
	}
	switch {
	case !res.FromSound || !res.ToSound:
		return fmt.Errorf("check found problems after the move; run illdesk check on each database (--db %s, then --db the department address) and see what it lists", *from)
	case res.Copied.Requests != res.FromRequests:
		return fmt.Errorf("%d requests were copied but the workstation holds %d", res.Copied.Requests, res.FromRequests)
	}
	return nil
}

func soundWord(ok bool) string {
	if ok {
		return "check passes"
	}
	return "check finds problems"
}
