-- model: staging.discogs_search_results
-- key: result_type, result_id
-- merge: newest row
-- assert: not_null(title)
-- Discogs database search hits (artist and barcode searches, and any search landed by
-- `liner ingest`): artists and releases mixed (`type`). A release hit's title is
-- "Artist - Title"; `year` is a string, `format`, `genre`, `style` and `barcode` arrays.
with hits as (
    select unnest(json_extract(body, '$.results[*]')) as h, fetched_at
    from answers.discogs_artist_search
    union all
    select unnest(json_extract(body, '$.results[*]')), fetched_at
    from answers.discogs_release_search
)
select
    h ->> 'type' as result_type,
    try_cast(h ->> 'id' as bigint) as result_id,
    h ->> 'title' as title,
    nullif(try_cast(h ->> 'year' as integer), 0) as year,
    nullif(h ->> 'catno', '') as catalog_number,
    h ->> 'country' as country,
    nullif(array_to_string(json_extract_string(h, '$.format[*]'), ', '), '') as formats,
    nullif(array_to_string(json_extract_string(h, '$.label[*]'), ', '), '') as labels,
    nullif(array_to_string(json_extract_string(h, '$.barcode[*]'), ', '), '') as barcodes,
    try_cast(h ->> 'master_id' as bigint) as master_id,
    fetched_at
from hits
where try_cast(h ->> 'id' as bigint) is not null
