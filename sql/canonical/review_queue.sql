-- model: canonical.review_queue
-- key: review_id
-- Matches for a person to judge, not decided yet: match probabilities from 0.70 to
-- 0.90; higher ones too close to a runner-up, beaten to one side by another item, or
-- vetoed from auto-linking (another edition or volume); and exact links by barcode or
-- ISRC whose titles and sizes disagree (`exact_method`). Both sides are shown whole,
-- with the probability, each comparison's weight, the evidence in words and why it
-- was not linked. `review_id` is short and stable: `liner review accept <review_id>`
-- (12 hex digits: eight collide once the queue holds tens of thousands).
select
    left(md5(concat_ws(':', f.entity, f.left_provider, f.left_id, f.right_provider, f.right_id)), 12) as review_id,
    f.entity, f.left_provider, f.left_id, f.right_provider, f.right_id, f.score, f.reason, f.evidence, f.exact_method,
    f.title_score, f.variant_score, f.artist_score, f.size_score, f.year_score, f.runner_up_id, f.runner_up_score,
    coalesce(lr.title, lt.title) as left_title, coalesce(lr.artist, lt.artist) as left_artist,
    lr.release_date as left_date, coalesce(lr.track_count, lt.duration_ms) as left_size,
    coalesce(rr.title, rt.title) as right_title, coalesce(rr.artist, rt.artist) as right_artist,
    rr.release_date as right_date, coalesce(rr.track_count, rt.duration_ms) as right_size
from intermediate.fuzzy_links f
left join intermediate.release_items lr on f.entity = 'release' and lr.provider = f.left_provider and lr.item_id = f.left_id
left join intermediate.release_items rr on f.entity = 'release' and rr.provider = f.right_provider and rr.item_id = f.right_id
left join intermediate.track_items lt on f.entity = 'track' and lt.provider = f.left_provider and lt.item_id = f.left_id
left join intermediate.track_items rt on f.entity = 'track' and rt.provider = f.right_provider and rt.item_id = f.right_id
where f.outcome = 'review'
    and not exists (
        select 1 from raw.review_decisions d
        where d.entity = f.entity
            and ((d.left_provider, d.left_id, d.right_provider, d.right_id) = (f.left_provider, f.left_id, f.right_provider, f.right_id)
                or (d.left_provider, d.left_id, d.right_provider, d.right_id) = (f.right_provider, f.right_id, f.left_provider, f.left_id))
    )
