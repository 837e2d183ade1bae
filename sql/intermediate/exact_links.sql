-- model: intermediate.exact_links
-- key: link_id
-- assert: not_null(entity, method, left_id, right_id, match_key)
-- Exact links: two items (of two providers, or two listings of one provider) that
-- carry the same barcode (releases) or ISRC (tracks), the same MusicBrainz id, or one
-- links to the other's page (MusicBrainz url-rels, Genius media links, iTunes and Apple
-- Music sharing ids). One row per pair, by its strongest evidence; the left side is
-- the one whose (provider, id) sorts first. Every link says how it was made.
with pairs as (
    select
        a.entity,
        a.provider as left_provider,
        a.item_id as left_id,
        b.provider as right_provider,
        b.item_id as right_id,
        a.kind,
        a.value,
        case a.kind when 'gtin' then 1 when 'isrc' then 1 when 'mbid' then 2 else 3 end as strength,
        case when a.via = 'own' then b.via else a.via end as via
    from intermediate.item_identifiers a
    join intermediate.item_identifiers b
        on a.entity = b.entity and a.kind = b.kind and a.value = b.value
        -- The left's (provider, id) sorts first: compared as two columns, not as text
        -- built for each of millions of pairs.
        and (a.provider < b.provider or (a.provider = b.provider and a.item_id < b.item_id))
)
select
    concat_ws(':', entity, left_provider, left_id, right_provider, right_id) as link_id,
    entity,
    left_provider,
    left_id,
    right_provider,
    right_id,
    arg_min(case when kind in ('gtin', 'isrc', 'mbid') then kind else 'provider_id' end, strength) as method,
    arg_min(value, strength) as match_key,
    arg_min(via, strength) as via,
    1.0::double as score
from pairs
group by entity, left_provider, left_id, right_provider, right_id
