package domain

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBarcodeShapes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		shape   BarcodeShape
		pattern string
		good    []string
		bad     []string
	}{
		{"any barcode", BarcodeShape{}, "", []string{"x", "39200000123456"}, nil},
		{"starts with 39, 10 to 14 digits", BarcodeShape{Prefix: "39", Chars: BarcodeDigits, MinLen: 10, MaxLen: 14}, `^39\d{8,12}$`,
			[]string{"3912345678", "39123456789012"}, []string{"391234567", "391234567890123", "4912345678", "39A2345678"}},
		{"exactly 8 letters or digits", BarcodeShape{Chars: BarcodeLettersDigits, MinLen: 8, MaxLen: 8}, `^[0-9A-Za-z]{8}$`,
			[]string{"AB12cd34"}, []string{"AB12cd3", "AB-2cd34"}},
		{"digits only", BarcodeShape{Chars: BarcodeDigits}, `^\d+$`, []string{"1"}, []string{"1a"}},
		{"starts with a dotted prefix", BarcodeShape{Prefix: "U.B-", Chars: BarcodeAnyChars}, `^U\.B-[\x21-\x7E]*$`,
			[]string{"U.B-", "U.B-x1"}, []string{"UxB-1"}},
		{"at least 6 characters", BarcodeShape{Chars: BarcodeAnyChars, MinLen: 6}, `^[\x21-\x7E]{6,}$`, []string{"abcdef"}, []string{"abcde"}},
		{"starts with 31 and 12 long", BarcodeShape{Prefix: "31", Chars: BarcodeDigits, MaxLen: 12}, `^31\d{0,10}$`,
			[]string{"31", "311234567890"}, []string{"3112345678901"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.shape.Pattern()
			require.NoError(t, err)
			assert.Equal(t, tc.pattern, p)
			back, ok := ParseBarcodeShape(p)
			require.True(t, ok, "a pattern the shape writes reads back")
			again, err := back.Pattern()
			require.NoError(t, err)
			assert.Equal(t, p, again, "the stored value is kept as it is")
			rule, err := NewBarcodeRule(p)
			require.NoError(t, err)
			for _, c := range tc.good {
				assert.NoError(t, rule.Check(c), c)
			}
			for _, c := range tc.bad {
				assert.Error(t, rule.Check(c), c)
			}
		})
	}
}

func TestBarcodeShapeReadsBack(t *testing.T) {
	b, ok := ParseBarcodeShape(`^39\d{8,12}$`)
	require.True(t, ok)
	assert.Equal(t, BarcodeShape{Prefix: "39", Chars: BarcodeDigits, MinLen: 10, MaxLen: 14}, b)
	b, ok = ParseBarcodeShape("")
	require.True(t, ok)
	assert.Equal(t, BarcodeShape{Chars: BarcodeAnyChars}, b)
	// written by hand: kept and shown as they are
	for _, p := range []string{`^(39|40)\d{8}$`, `^\d*$`, `39\d+`, `^3.\d+$`, `^[A-Z]{2}\d{6}$`, `^\d{1,}$`, DefaultBarcodePattern + "x"} {
		_, ok := ParseBarcodeShape(p)
		assert.False(t, ok, p)
	}
}

func TestBarcodeShapeRefusesTheImpossible(t *testing.T) {
	for _, b := range []BarcodeShape{
		{Chars: BarcodeDigits, MinLen: 12, MaxLen: 10},
		{Prefix: "3900", Chars: BarcodeDigits, MaxLen: 3},
		{Prefix: "39 00", Chars: BarcodeDigits},
		{Chars: BarcodeDigits, MaxLen: 65},
		{Chars: `.*`},
	} {
		_, err := b.Pattern()
		assert.ErrorIs(t, err, ErrInvalidInput, "%+v", b)
	}
}
