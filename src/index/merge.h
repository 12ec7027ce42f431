/*
** merge.h -- segment merging (merge.c): the merge itself and the tiered
** policy that decides what to merge.  See the comment at the top of merge.c
** for why both work the way they do.
**
** The caller (the writer's background merger, `newsgrep optimize`) owns the
** commit: ng_merge__run() writes a new segment that no manifest names yet;
** the caller replaces the inputs by it in its working manifest (the run of
** inputs is adjacent: ng_merge__apply()), carries over the tombstones set
** while the merge ran (ng_merge__carry_deletes()), and commits.
*/
#ifndef NG_MERGE_H
#define NG_MERGE_H

#include "format/format.h"

/*
** Merge the n committed segments segs[0..n) of index directory dir into a
** new segment seg-<new_id>.{doc,pst,pos,tdi,len}, each file fsynced, then
** the directory.  dels[i] is segment i's tombstone bitmap (ceil(n_docs/8)
** bytes, bit d of byte d/8), NULL meaning none; dels itself may be NULL.
** Live documents keep their order, segment by segment; deleted ones are
** dropped.  new_id must not be one of the inputs' ids.
**
** On success *out describes the new segment (n_deleted = del_gen = 0); it
** may hold 0 documents when every input document was deleted (its files
** are still valid; the caller simply drops the inputs).  If remap_out is
** not NULL, remap_out[i] receives an ng__malloc'ed array of segs[i].n_docs
** entries: the new docid of each input document, UINT32_MAX for a dropped
** one (free each with ng__free).
**
** cancel, if not NULL, is polled between terms and between documents; when
** it becomes nonzero the merge stops with NG_EUSER.  On any error every file
** of seg-<new_id> is removed and nothing is returned through out/remap_out.
** Errors: NG_ECORRUPT (an input), NG_EIO, NG_ENOMEM, NG_EUSER, NG_EINVAL.
*/
int ng_merge__run(const char *dir, const ng_seg_meta *segs, const uint8_t *const *dels, uint32_t n,
                  uint32_t new_id, ng_seg_meta *out, uint32_t **remap_out, volatile int *cancel);

/*
** Tiered merge policy.  Sizes are live documents (n_docs - n_deleted), or
** live_tokens when by_tokens is set.  Zero fields take the defaults.
*/
typedef struct ng_merge_policy {
    uint32_t factor;      /* segments per tier and per merge; default 10, at least 2 */
    uint64_t floor;       /* smaller sizes count as this; default 1000 docs / 500000 tokens */
    uint64_t max_merged;  /* skip merges whose inputs' live size exceeds this; 0 = no limit */
    uint32_t deleted_pct; /* a segment with more than this % deleted is worth rewriting; default 20 */
    int by_tokens;        /* size segments by live_tokens instead of live documents */
} ng_merge_policy;

#define NG_MERGE_POLICY_INIT {10, 0, 0, 20, 0}

/*
** Choose one merge among segs[0..n) (manifest order): on return pick[0..
** *n_pick) holds the indexes of an adjacent run, ascending (pick must have
** room for n entries).  *n_pick = 0 when nothing is worth merging; 1 means
** rewriting one segment to purge its deletions.  p NULL means defaults.
** Pure function.  NG_EINVAL for a factor of 1.
*/
int ng_merge__pick(const ng_seg_meta *segs, uint32_t n, const ng_merge_policy *p, uint32_t *pick,
                   uint32_t *n_pick);

/*
** `optimize`: every segment into one.  *n_pick = n when n > 1, 1 when the
** only segment has deletions to purge, 0 otherwise (already optimal).
*/
void ng_merge__pick_all(const ng_seg_meta *segs, uint32_t n, uint32_t *pick, uint32_t *n_pick);

/*
** Replace the adjacent run segs[pick[0] .. pick[0]+n_pick) by merged, at the
** position of the first input, and shrink *n.  A merged segment with no
** documents is simply dropped.  NG_EINVAL if pick is not an adjacent run.
*/
int ng_merge__apply(ng_seg_meta *segs, uint32_t *n, const uint32_t *pick, uint32_t n_pick,
                    const ng_seg_meta *merged);

/*
** Deletions made while a merge ran: for each input i and each docid d set
** in dels_now[i] (NULL = none) whose remap[i][d] is not UINT32_MAX, set
** that bit in bits (the new segment's bitmap, ceil(n_docs/8) bytes,
** zeroed by the caller).  *n_deleted_out counts the bits set in bits.  The
** caller subtracts the lengths of the newly deleted documents from the
** merged segment's live_tokens.
*/
void ng_merge__carry_deletes(uint8_t *bits, uint32_t new_n_docs, uint32_t *n_deleted_out,
                             const ng_seg_meta *segs, const uint8_t *const *dels_now,
                             uint32_t *const *remap, uint32_t n);

#endif
