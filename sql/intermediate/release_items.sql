-- model: intermediate.release_items
-- materialized: view
-- key: provider, item_id
-- assert: not_null(title)
-- Every provider's releases in one shape, as given: the linker reads titles, credits
-- and disambiguations itself (liner-link's `prepare`), once, so no reading of them is
-- kept here. `popularity` is the provider's own measure (fans, listeners, ...),
-- comparable only within a provider. A view: it only puts the staging tables side by
-- side, and its readers scan them as fast as they would scan a copy (the million's copy
-- took 1.7 s to write).
with items as (
    select 'musicbrainz' as provider, release_id as item_id, title, artist_credit as artist, gtin, release_date,
           track_count, null::double as popularity, 'https://musicbrainz.org/release/' || release_id as url,
           disambiguation, raw_file
    from staging.musicbrainz_releases
    union all
    select 'deezer', album_id::varchar, title, artist_name, gtin, release_date, track_count, fans,
           'https://www.deezer.com/album/' || album_id, null, raw_file
    from staging.deezer_albums
    union all
    select 'spotify', album_id, title, artist_credit, gtin, release_date, track_count, popularity,
           'https://open.spotify.com/album/' || album_id, null, raw_file
    from staging.spotify_albums
    union all
    select 'apple_music', album_id, title, artist_name, gtin, release_date, track_count, null, url, null, raw_file
    from staging.apple_music_albums
    union all
    select 'itunes', collection_id::varchar, title, artist_name, null, release_date::varchar, track_count, null,
           'https://music.apple.com/album/' || collection_id, null, raw_file
    from staging.itunes_albums
    union all
    select 'discogs', release_id::varchar, title, artist_credit, gtin, coalesce(released, year::varchar), null, have,
           'https://www.discogs.com/release/' || release_id, null, raw_file
    from staging.discogs_releases
    union all
    select 'lastfm', url, title, artist_name, null, null, track_count, listeners, url, null, raw_file
    from staging.lastfm_albums
    union all
    select 'beatport', release_id::varchar, title, artist_credit, null, publish_date, track_count, null,
           'https://www.beatport.com/release/-/' || release_id, null, raw_file
    from staging.beatport_releases
)
select
    provider,
    item_id,
    title,
    artist,
    gtin,
    release_date,
    try_cast(left(release_date, 4) as integer) as year,
    track_count,
    popularity,
    -- The provider's comment that tells editions apart, as given: the linker reads it.
    nullif(disambiguation, '') as disambiguation,
    url,
    -- The lake file the item was read from.
    raw_file
from items
where item_id is not null
