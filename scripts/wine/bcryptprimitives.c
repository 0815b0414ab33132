/*
 * bcryptprimitives.dll for wine: the one export Go's Windows runtime needs.
 *
 * Go 1.24 and later take their random bytes from ProcessPrng in
 * bcryptprimitives.dll (Windows 8 and later) and refuse to start without
 * it; wine 8.0, Debian 12's, has no such DLL. This stand-in provides
 * ProcessPrng on top of advapi32's SystemFunction036 (RtlGenRandom), which
 * wine has. scripts/wine.sh compiles it with mingw-w64 when it sets up its
 * wine prefix and puts it in that prefix's system32; it is never committed
 * as a binary and never shipped: real Windows has the real DLL.
 *
 *   x86_64-w64-mingw32-gcc -shared -O2 -s -o bcryptprimitives.dll \
 *     bcryptprimitives.c bcryptprimitives.def -ladvapi32
 */
#include <windows.h>

/* RtlGenRandom, exported by advapi32 under this name. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/*
 * ProcessPrng fills data with len cryptographically random bytes. Windows
 * documents it as always returning TRUE; RtlGenRandom takes a ULONG length,
 * so a larger request is filled in pieces.
 */
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
	(void)instance;
	(void)reason;
	(void)reserved;
	return TRUE;
}
