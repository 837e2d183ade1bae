-- model: staging.musicbrainz_releases
-- key: release_id
-- assert: not_null(title)
-- One row per MusicBrainz release, typed and with its identifiers normalized.
select
    release_id,
    json_extract_string(r, '$."release-group".id') as release_group_id,
    r ->> 'title' as title,
    nullif(r ->> 'disambiguation', '') as disambiguation,
    r ->> 'status' as status,
    r ->> 'date' as release_date,
    r ->> 'country' as country,
    nullif(r ->> 'barcode', '') as barcode,
    norm_gtin(r ->> 'barcode') as gtin,
    json_extract_string(r, '$."label-info"[0].label.name') as label,
    json_extract_string(r, '$."label-info"[0]."catalog-number"') as catalog_number,
    array_to_string(
        list_transform(json_extract(r, '$."artist-credit"[*]'), lambda c: (c ->> 'name') || coalesce(c ->> 'joinphrase', '')),
        ''
    ) as artist_credit,
    list_sum(try_cast(json_extract(r, '$.media[*]."track-count"') as integer[])) as track_count,
    fetched_at
from staging.musicbrainz_release_json
