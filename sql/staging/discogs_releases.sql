-- model: staging.discogs_releases
-- key: release_id
-- assert: not_null(title)
-- One row per Discogs release. Artist names lose Discogs' homonym numbers ("Ana Silva
-- (2)"); year 0 means unknown; the GTIN is the first barcode identifier that is a valid
-- one (people type barcodes with spaces, and sometimes wrong).
select
    release_id,
    try_cast(r ->> 'master_id' as bigint) as master_id,
    r ->> 'title' as title,
    trim(array_to_string(
        list_transform(
            json_extract(r, '$.artists[*]'),
            lambda a: regexp_replace(a ->> 'name', ' \(\d+\)$', '')
                || case coalesce(a ->> 'join', '') when '' then ' ' when ',' then ', ' else ' ' || (a ->> 'join') || ' ' end
        ),
        ''
    )) as artist_credit,
    try_cast(json_extract_string(r, '$.artists[0].id') as bigint) as artist_id,
    nullif(try_cast(r ->> 'year' as integer), 0) as year,
    r ->> 'released' as released,
    r ->> 'country' as country,
    json_extract_string(r, '$.labels[0].name') as label,
    json_extract_string(r, '$.labels[0].catno') as catalog_number,
    array_to_string(json_extract_string(r, '$.formats[*].name'), ', ') as formats,
    array_to_string(flatten(list_transform(json_extract(r, '$.formats[*]'), lambda f: json_extract_string(f, '$.descriptions[*]'))), ', ') as format_descriptions,
    list_filter(
        list_transform(json_extract(r, '$.identifiers[*]'), lambda i: case when i ->> 'type' = 'Barcode' then i ->> 'value' end),
        lambda b: b is not null
    )[1] as barcode,
    list_filter(
        list_transform(json_extract(r, '$.identifiers[*]'), lambda i: case when i ->> 'type' = 'Barcode' then norm_gtin(i ->> 'value') end),
        lambda g: g is not null
    )[1] as gtin,
    try_cast(json_extract_string(r, '$.community.rating.average') as double) as rating_average,
    try_cast(json_extract_string(r, '$.community.rating.count') as integer) as rating_count,
    try_cast(json_extract_string(r, '$.community.have') as integer) as have,
    try_cast(json_extract_string(r, '$.community.want') as integer) as want,
    array_to_string(json_extract_string(r, '$.genres[*]'), ', ') as genres,
    array_to_string(json_extract_string(r, '$.styles[*]'), ', ') as styles,
    fetched_at, raw_file
from staging.discogs_release_json
