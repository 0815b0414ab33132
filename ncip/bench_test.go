package ncip_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/illdesk/illdesk/domain"
	"github.com/illdesk/illdesk/internal/ncipstub"
	"github.com/illdesk/illdesk/ncip"
)

// BenchmarkCalls times each NCIP call the desk makes, from building the
// message to reading the answer, against the stand-in ILS on 127.0.0.1
// (schema checks off): what a scan that calls the ILS adds beyond the
// ILS's own time. The borrowing cycle is one temporary item's four calls.
func BenchmarkCalls(b *testing.B) {
	ils := ncipstub.ForTest(b)
	ils.SkipValidation()
	c, err := ncip.New(domain.NCIPSettings{URL: ils.URL, FromAgency: "ILLDESK", ToAgency: "MAIN"})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.Run("LookupUser", func(b *testing.B) {
		for range b.N {
			if _, err := c.LookupUser(ctx, "P100"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("LookupItem", func(b *testing.B) {
		for range b.N {
			if _, err := c.LookupItem(ctx, "39001000000017"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("BorrowingCycle", func(b *testing.B) {
		for i := range b.N {
			barcode := fmt.Sprintf("ILLB%08d", i)
			if err := c.AcceptItem(ctx, domain.ILSAccept{RequestID: "R" + barcode, ItemBarcode: barcode, PatronID: "P100",
				Title: "A borrowed book", Author: "Someone", PickupLocation: "MAIN"}); err != nil {
				b.Fatal(err)
			}
			if err := c.CheckOutItem(ctx, "P100", barcode, "R"+barcode); err != nil {
				b.Fatal(err)
			}
			if err := c.CheckInItem(ctx, barcode); err != nil {
				b.Fatal(err)
			}
			if err := c.DeleteItem(ctx, barcode); err != nil {
				b.Fatal(err)
			}
		}
	})
}
