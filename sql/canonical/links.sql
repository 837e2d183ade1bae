-- model: canonical.links
-- key: link_id
-- assert: not_null(entity, method, left_id, right_id)
-- Every link between two items: exact ones (same barcode or ISRC, MusicBrainz id,
-- or a page linking the other's), fuzzy ones the linker made on its own (match
-- probability at least 0.90, each side's best by a clear lead over the runner-up), and
-- those a person accepted (`liner review accept`). A pair a person rejected is never
-- linked; an exact link by barcode or ISRC that the evidence contradicts waits for a
-- person. A fuzzy link keeps its probability, each comparison's weight in bits, the
-- evidence in words and the runner-up; an exact link scores 1.
with decisions as (
    -- Either order of the sides names the same pair.
    select entity, left_provider, left_id, right_provider, right_id, decision from raw.review_decisions
    union all
    select entity, right_provider, right_id, left_provider, left_id, decision from raw.review_decisions
),
exact as (
    select
        link_id, entity, left_provider, left_id, right_provider, right_id, method, match_key, via, score,
        null::double as title_score, null::double as variant_score, null::double as artist_score,
        null::double as size_score, null::double as year_score, null::varchar as evidence,
        null::varchar as runner_up_id, null::double as runner_up_score
    from intermediate.exact_links e
    where not exists (
        select 1 from intermediate.fuzzy_links d
        where d.exact_method is not null and d.entity = e.entity
            and d.left_provider = e.left_provider and d.left_id = e.left_id
            and d.right_provider = e.right_provider and d.right_id = e.right_id
    )
),
fuzzy_auto as (
    select
        f.*,
        -- The pair as an exact link would name it: the side whose (provider, id) sorts first on the left.
        case when f.left_provider < f.right_provider or (f.left_provider = f.right_provider and f.left_id < f.right_id)
            then concat_ws(':', f.entity, f.left_provider, f.left_id, f.right_provider, f.right_id)
            else concat_ws(':', f.entity, f.right_provider, f.right_id, f.left_provider, f.left_id)
        end as pair_key
    from intermediate.fuzzy_links f
    where f.outcome = 'auto'
),
fuzzy as (
    select
        concat_ws(':', f.entity, f.left_provider, f.left_id, f.right_provider, f.right_id) as link_id,
        f.entity, f.left_provider, f.left_id, f.right_provider, f.right_id, 'fuzzy' as method, null as match_key,
        'liner' as via, f.score, f.title_score, f.variant_score, f.artist_score, f.size_score, f.year_score,
        f.evidence, f.runner_up_id, f.runner_up_score
    from fuzzy_auto f
    -- An exact link of the same pair, in either order, says it better.
    where not exists (select 1 from exact e where e.link_id = f.pair_key)
),
accepted as (
    select
        concat_ws(':', d.entity, d.left_provider, d.left_id, d.right_provider, d.right_id) as link_id,
        d.entity, d.left_provider, d.left_id, d.right_provider, d.right_id, 'review' as method, null as match_key,
        'person' as via, 1.0::double as score, f.title_score, f.variant_score, f.artist_score, f.size_score,
        f.year_score, f.evidence, f.runner_up_id, f.runner_up_score
    from raw.review_decisions d
    left join intermediate.fuzzy_links f using (entity, left_provider, left_id, right_provider, right_id)
    where d.decision = 'accept'
),
links as (
    select * from accepted
    union all
    select * from exact where link_id not in (select link_id from accepted)
    union all
    select * from fuzzy where link_id not in (select link_id from accepted)
)
select l.*
from links l
where not exists (
    select 1 from decisions d
    where d.decision = 'reject' and d.entity = l.entity
        and d.left_provider = l.left_provider and d.left_id = l.left_id
        and d.right_provider = l.right_provider and d.right_id = l.right_id
)
