//! The program's allocator: a bump allocator over the default 32 KiB SBF heap that, unlike
//! solana-program's default, **grows the newest allocation in place and frees it** when it is
//! dropped. Borsh deserializes a `Vec<PaymentProof>` by repeated doubling and every CPI or event
//! builds short-lived vectors; with a never-freeing allocator a 32-proof batch ran out of heap
//! (`memory allocation of 6720 bytes failed`). Enabled through the `custom-heap` feature, which
//! also tells Anchor's entrypoint not to install the default allocator.
//!
//! Statics must be read-only on Solana, so the bump position lives in the first 8 bytes of the
//! heap itself (0 means "not yet used").
#[cfg(all(target_os = "solana", feature = "custom-heap"))]
mod imp {
    use core::alloc::{GlobalAlloc, Layout};
    use core::ptr::null_mut;

    const HEAP_START: usize = 0x3_0000_0000;
    const HEAP_LEN: usize = 32 * 1024;
    const HEAP_END: usize = HEAP_START + HEAP_LEN;
    const FIRST: usize = HEAP_START + 8;

    pub struct GrowingBump;

    #[inline(always)]
    unsafe fn pos() -> usize {
        let p = *(HEAP_START as *const usize);
        if p == 0 {
            FIRST
        } else {
            p
        }
    }

    #[inline(always)]
    unsafe fn set_pos(p: usize) {
        *(HEAP_START as *mut usize) = p;
    }

    unsafe impl GlobalAlloc for GrowingBump {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let align = layout.align().max(1);
            let start = (pos() + align - 1) & !(align - 1);
            match start.checked_add(layout.size()) {
                Some(end) if end <= HEAP_END => {
                    set_pos(end);
                    start as *mut u8
                }
                _ => null_mut(),
            }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // Only the newest block can be returned to a bump allocator.
            if ptr as usize + layout.size() == pos() {
                set_pos(ptr as usize);
            }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let p = ptr as usize;
            if p + layout.size() == pos() {
                match p.checked_add(new_size) {
                    Some(end) if end <= HEAP_END => {
                        set_pos(end);
                        return ptr;
                    }
                    _ => return null_mut(),
                }
            }
            if new_size <= layout.size() {
                return ptr;
            }
            let new = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
            if !new.is_null() {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size());
            }
            new
        }
    }

    #[global_allocator]
    static ALLOCATOR: GrowingBump = GrowingBump;
}
