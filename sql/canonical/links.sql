-- model: canonical.links
-- key: link_id
-- assert: not_null(entity, method, left_id, right_id)
-- Every link between two items: exact ones (same barcode or ISRC, MusicBrainz id,
-- or a page linking the other's) and fuzzy ones the linker made on its own (score at
-- least 0.90, mutual best, a clear lead over the runner-up). A fuzzy link keeps its
-- score, the parts of it, and the runner-up; an exact link scores 1.
select
    link_id, entity, left_provider, left_id, right_provider, right_id, method, match_key, via, score,
    null::double as title_score, null::double as variant_score, null::double as artist_score,
    null::double as size_score, null::double as year_score,
    null::varchar as runner_up_id, null::double as runner_up_score
from intermediate.exact_links
union all
select
    concat_ws(':', f.entity, f.left_provider, f.left_id, f.right_provider, f.right_id),
    f.entity, f.left_provider, f.left_id, f.right_provider, f.right_id, 'fuzzy', null, 'liner', f.score,
    f.title_score, f.variant_score, f.artist_score, f.size_score, f.year_score, f.runner_up_id, f.runner_up_score
from intermediate.fuzzy_links f
where f.outcome = 'auto'
    and not exists (
        select 1 from intermediate.exact_links e
        where e.entity = f.entity
            and ((e.left_provider, e.left_id, e.right_provider, e.right_id) = (f.left_provider, f.left_id, f.right_provider, f.right_id)
                or (e.left_provider, e.left_id, e.right_provider, e.right_id) = (f.right_provider, f.right_id, f.left_provider, f.left_id))
    )
