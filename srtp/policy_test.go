package srtp

import "testing"

func TestPolicyForKeyLengths(t *testing.T) {
	cm := func(key int) Policy { p := DefaultPolicy(); p.KeyLen = key; return p }
	for _, tc := range []struct {
		key, salt int
		want      Policy
		ok        bool
	}{
		{16, 14, DefaultPolicy(), true},
		{24, 14, cm(24), true},
		{32, 14, cm(32), true},
		{16, 12, GCMPolicy(16), true},
		{32, 12, GCMPolicy(32), true},
		{24, 12, Policy{}, false},
		{16, 16, Policy{}, false},
		{0, 0, Policy{}, false},
	} {
		got, ok := PolicyForKeyLengths(tc.key, tc.salt)
		if ok != tc.ok || got != tc.want {
			t.Errorf("PolicyForKeyLengths(%d, %d) = %v, %v; want %v, %v", tc.key, tc.salt, got, ok, tc.want, tc.ok)
		}
		if ok {
			if err := got.Validate(); err != nil {
				t.Errorf("PolicyForKeyLengths(%d, %d): %v", tc.key, tc.salt, err)
			}
		}
	}
	totals := map[int]bool{}
	for _, l := range MasterKeyLengths {
		if totals[l.Key+l.Salt] {
			t.Errorf("two transforms have key+salt %d bytes: a concatenation cannot be split by length", l.Key+l.Salt)
		}
		totals[l.Key+l.Salt] = true
	}
}
