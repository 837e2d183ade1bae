-- model: staging.discogs_release_labels
-- key: release_id, ordinal
-- One row per label credit of a Discogs release, with its catalog number. A release
-- can name one label twice with two numbers (the catalog number and the barcode).
with labels as (
    select release_id, unnest(json_extract(r, '$.labels[*]')) as l, generate_subscripts(json_extract(r, '$.labels[*]'), 1) as ordinal
    from staging.discogs_release_json
)
select
    release_id,
    ordinal,
    try_cast(l ->> 'id' as bigint) as label_id,
    regexp_replace(l ->> 'name', ' \(\d+\)$', '') as name,
    nullif(l ->> 'catno', '') as catalog_number
from labels
