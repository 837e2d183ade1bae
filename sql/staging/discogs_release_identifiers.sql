-- model: staging.discogs_release_identifiers
-- key: release_id, ordinal
-- Every identifier printed on a Discogs release (barcodes, matrix and runout etchings,
-- label codes), as typed; barcodes also as a GTIN-14 when they are valid ones.
with ids as (
    select release_id, unnest(json_extract(r, '$.identifiers[*]')) as i, generate_subscripts(json_extract(r, '$.identifiers[*]'), 1) as ordinal
    from staging.discogs_release_json
)
select
    release_id,
    ordinal,
    i ->> 'type' as type,
    i ->> 'value' as value,
    i ->> 'description' as description,
    case when i ->> 'type' = 'Barcode' then norm_gtin(i ->> 'value') end as gtin
from ids
